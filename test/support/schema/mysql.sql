-- Guacamole 1.6.0-compatible schema for MySQL / MariaDB, used only by our tests.
-- This is our own DDL, written from the documented table definitions
-- (see /work/shared/reference/guacamole-db.md, sections 2-8 and 15): same table
-- and column names, types, nullability, defaults, keys and ON DELETE actions as
-- Guacamole's JDBC schema. It is not a copy of Guacamole's scripts.
-- Enumerations are inline column types. Every table is InnoDB with the 3-byte
-- "utf8" character set (utf8mb3, case- and accent-insensitive collation), as
-- Guacamole creates them: that is what makes 'web-01' and 'WEB-01 ' collide and
-- 4-byte characters fail. The admin user lives in mysql-seed.sql.

-- Connection tree. parent_id NULL means ROOT; the unique key does not apply there.
CREATE TABLE guacamole_connection_group (
  connection_group_id      int(11)       NOT NULL AUTO_INCREMENT,
  parent_id                int(11)       NULL,
  connection_group_name    varchar(128)  NOT NULL,
  type                     enum('ORGANIZATIONAL', 'BALANCING') NOT NULL DEFAULT 'ORGANIZATIONAL',
  max_connections          int(11)       NULL,
  max_connections_per_user int(11)       NULL,
  enable_session_affinity  boolean       NOT NULL DEFAULT 0,
  PRIMARY KEY (connection_group_id),
  UNIQUE KEY connection_group_name_parent (connection_group_name, parent_id),
  CONSTRAINT guacamole_connection_group_ibfk_1 FOREIGN KEY (parent_id)
    REFERENCES guacamole_connection_group (connection_group_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE guacamole_connection (
  connection_id            int(11)       NOT NULL AUTO_INCREMENT,
  connection_name          varchar(128)  NOT NULL,
  parent_id                int(11)       NULL,
  protocol                 varchar(32)   NOT NULL,
  proxy_port               int(11)       NULL,
  proxy_hostname           varchar(512)  NULL,
  proxy_encryption_method  enum('NONE', 'SSL') NULL,
  max_connections          int(11)       NULL,
  max_connections_per_user int(11)       NULL,
  connection_weight        int(11)       NULL,
  failover_only            boolean       NOT NULL DEFAULT 0,
  PRIMARY KEY (connection_id),
  UNIQUE KEY connection_name_parent (connection_name, parent_id),
  CONSTRAINT guacamole_connection_ibfk_1 FOREIGN KEY (parent_id)
    REFERENCES guacamole_connection_group (connection_group_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

-- Principals: every user and user group is an entity first.
CREATE TABLE guacamole_entity (
  entity_id                int(11)       NOT NULL AUTO_INCREMENT,
  name                     varchar(128)  NOT NULL,
  type                     enum('USER', 'USER_GROUP') NOT NULL,
  PRIMARY KEY (entity_id),
  UNIQUE KEY guacamole_entity_name_scope (type, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE guacamole_user (
  user_id                  int(11)       NOT NULL AUTO_INCREMENT,
  entity_id                int(11)       NOT NULL,
  password_hash            binary(32)    NOT NULL,
  password_salt            binary(32)    NULL,
  password_date            datetime      NOT NULL,
  disabled                 boolean       NOT NULL DEFAULT 0,
  expired                  boolean       NOT NULL DEFAULT 0,
  access_window_start      time          NULL,
  access_window_end        time          NULL,
  valid_from               date          NULL,
  valid_until              date          NULL,
  timezone                 varchar(64)   NULL,
  full_name                varchar(256)  NULL,
  email_address            varchar(256)  NULL,
  organization             varchar(256)  NULL,
  organizational_role      varchar(256)  NULL,
  PRIMARY KEY (user_id),
  UNIQUE KEY guacamole_user_single_entity (entity_id),
  CONSTRAINT guacamole_user_entity FOREIGN KEY (entity_id)
    REFERENCES guacamole_entity (entity_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE guacamole_user_group (
  user_group_id            int(11)       NOT NULL AUTO_INCREMENT,
  entity_id                int(11)       NOT NULL,
  disabled                 boolean       NOT NULL DEFAULT 0,
  PRIMARY KEY (user_group_id),
  UNIQUE KEY guacamole_user_group_single_entity (entity_id),
  CONSTRAINT guacamole_user_group_entity FOREIGN KEY (entity_id)
    REFERENCES guacamole_entity (entity_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

-- A member is any entity, so groups nest.
CREATE TABLE guacamole_user_group_member (
  user_group_id            int(11)       NOT NULL,
  member_entity_id         int(11)       NOT NULL,
  PRIMARY KEY (user_group_id, member_entity_id),
  CONSTRAINT guacamole_user_group_member_parent_id FOREIGN KEY (user_group_id)
    REFERENCES guacamole_user_group (user_group_id) ON DELETE CASCADE,
  CONSTRAINT guacamole_user_group_member_entity_id FOREIGN KEY (member_entity_id)
    REFERENCES guacamole_entity (entity_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE guacamole_sharing_profile (
  sharing_profile_id       int(11)       NOT NULL AUTO_INCREMENT,
  sharing_profile_name     varchar(128)  NOT NULL,
  primary_connection_id    int(11)       NOT NULL,
  PRIMARY KEY (sharing_profile_id),
  UNIQUE KEY sharing_profile_name_primary (sharing_profile_name, primary_connection_id),
  CONSTRAINT guacamole_sharing_profile_ibfk_1 FOREIGN KEY (primary_connection_id)
    REFERENCES guacamole_connection (connection_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

-- Name/value tables. Values are limited to 4096 characters in 1.6.0; strict
-- sql_mode turns a longer value into error 1406 instead of a silent truncation.
CREATE TABLE guacamole_connection_parameter (
  connection_id            int(11)       NOT NULL,
  parameter_name           varchar(128)  NOT NULL,
  parameter_value          varchar(4096) NOT NULL,
  PRIMARY KEY (connection_id, parameter_name),
  CONSTRAINT guacamole_connection_parameter_ibfk_1 FOREIGN KEY (connection_id)
    REFERENCES guacamole_connection (connection_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE guacamole_sharing_profile_parameter (
  sharing_profile_id       int(11)       NOT NULL,
  parameter_name           varchar(128)  NOT NULL,
  parameter_value          varchar(4096) NOT NULL,
  PRIMARY KEY (sharing_profile_id, parameter_name),
  CONSTRAINT guacamole_sharing_profile_parameter_ibfk_1 FOREIGN KEY (sharing_profile_id)
    REFERENCES guacamole_sharing_profile (sharing_profile_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE guacamole_user_attribute (
  user_id                  int(11)       NOT NULL,
  attribute_name           varchar(128)  NOT NULL,
  attribute_value          varchar(4096) NOT NULL,
  PRIMARY KEY (user_id, attribute_name),
  KEY user_id (user_id),
  CONSTRAINT guacamole_user_attribute_ibfk_1 FOREIGN KEY (user_id)
    REFERENCES guacamole_user (user_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE guacamole_user_group_attribute (
  user_group_id            int(11)       NOT NULL,
  attribute_name           varchar(128)  NOT NULL,
  attribute_value          varchar(4096) NOT NULL,
  PRIMARY KEY (user_group_id, attribute_name),
  KEY user_group_id (user_group_id),
  CONSTRAINT guacamole_user_group_attribute_ibfk_1 FOREIGN KEY (user_group_id)
    REFERENCES guacamole_user_group (user_group_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE guacamole_connection_attribute (
  connection_id            int(11)       NOT NULL,
  attribute_name           varchar(128)  NOT NULL,
  attribute_value          varchar(4096) NOT NULL,
  PRIMARY KEY (connection_id, attribute_name),
  KEY connection_id (connection_id),
  CONSTRAINT guacamole_connection_attribute_ibfk_1 FOREIGN KEY (connection_id)
    REFERENCES guacamole_connection (connection_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE guacamole_connection_group_attribute (
  connection_group_id      int(11)       NOT NULL,
  attribute_name           varchar(128)  NOT NULL,
  attribute_value          varchar(4096) NOT NULL,
  PRIMARY KEY (connection_group_id, attribute_name),
  KEY connection_group_id (connection_group_id),
  CONSTRAINT guacamole_connection_group_attribute_ibfk_1 FOREIGN KEY (connection_group_id)
    REFERENCES guacamole_connection_group (connection_group_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE guacamole_sharing_profile_attribute (
  sharing_profile_id       int(11)       NOT NULL,
  attribute_name           varchar(128)  NOT NULL,
  attribute_value          varchar(4096) NOT NULL,
  PRIMARY KEY (sharing_profile_id, attribute_name),
  KEY sharing_profile_id (sharing_profile_id),
  CONSTRAINT guacamole_sharing_profile_attribute_ibfk_1 FOREIGN KEY (sharing_profile_id)
    REFERENCES guacamole_sharing_profile (sharing_profile_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

-- Grants. Every grant goes to an entity; only the user and user-group tables
-- name their object by user_id / user_group_id (not entity_id).
CREATE TABLE guacamole_connection_permission (
  entity_id                int(11)       NOT NULL,
  connection_id            int(11)       NOT NULL,
  permission               enum('READ', 'UPDATE', 'DELETE', 'ADMINISTER') NOT NULL,
  PRIMARY KEY (entity_id, connection_id, permission),
  CONSTRAINT guacamole_connection_permission_ibfk_1 FOREIGN KEY (connection_id)
    REFERENCES guacamole_connection (connection_id) ON DELETE CASCADE,
  CONSTRAINT guacamole_connection_permission_entity FOREIGN KEY (entity_id)
    REFERENCES guacamole_entity (entity_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE guacamole_connection_group_permission (
  entity_id                int(11)       NOT NULL,
  connection_group_id      int(11)       NOT NULL,
  permission               enum('READ', 'UPDATE', 'DELETE', 'ADMINISTER') NOT NULL,
  PRIMARY KEY (entity_id, connection_group_id, permission),
  CONSTRAINT guacamole_connection_group_permission_ibfk_1 FOREIGN KEY (connection_group_id)
    REFERENCES guacamole_connection_group (connection_group_id) ON DELETE CASCADE,
  CONSTRAINT guacamole_connection_group_permission_entity FOREIGN KEY (entity_id)
    REFERENCES guacamole_entity (entity_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE guacamole_sharing_profile_permission (
  entity_id                int(11)       NOT NULL,
  sharing_profile_id       int(11)       NOT NULL,
  permission               enum('READ', 'UPDATE', 'DELETE', 'ADMINISTER') NOT NULL,
  PRIMARY KEY (entity_id, sharing_profile_id, permission),
  CONSTRAINT guacamole_sharing_profile_permission_ibfk_1 FOREIGN KEY (sharing_profile_id)
    REFERENCES guacamole_sharing_profile (sharing_profile_id) ON DELETE CASCADE,
  CONSTRAINT guacamole_sharing_profile_permission_entity FOREIGN KEY (entity_id)
    REFERENCES guacamole_entity (entity_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE guacamole_system_permission (
  entity_id                int(11)       NOT NULL,
  permission               enum('CREATE_CONNECTION', 'CREATE_CONNECTION_GROUP',
                                'CREATE_SHARING_PROFILE', 'CREATE_USER',
                                'CREATE_USER_GROUP', 'AUDIT', 'ADMINISTER') NOT NULL,
  PRIMARY KEY (entity_id, permission),
  CONSTRAINT guacamole_system_permission_entity FOREIGN KEY (entity_id)
    REFERENCES guacamole_entity (entity_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE guacamole_user_permission (
  entity_id                int(11)       NOT NULL,
  affected_user_id         int(11)       NOT NULL,
  permission               enum('READ', 'UPDATE', 'DELETE', 'ADMINISTER') NOT NULL,
  PRIMARY KEY (entity_id, affected_user_id, permission),
  CONSTRAINT guacamole_user_permission_ibfk_1 FOREIGN KEY (affected_user_id)
    REFERENCES guacamole_user (user_id) ON DELETE CASCADE,
  CONSTRAINT guacamole_user_permission_entity FOREIGN KEY (entity_id)
    REFERENCES guacamole_entity (entity_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE guacamole_user_group_permission (
  entity_id                int(11)       NOT NULL,
  affected_user_group_id   int(11)       NOT NULL,
  permission               enum('READ', 'UPDATE', 'DELETE', 'ADMINISTER') NOT NULL,
  PRIMARY KEY (entity_id, affected_user_group_id, permission),
  CONSTRAINT guacamole_user_group_permission_affected_user_group FOREIGN KEY (affected_user_group_id)
    REFERENCES guacamole_user_group (user_group_id) ON DELETE CASCADE,
  CONSTRAINT guacamole_user_group_permission_entity FOREIGN KEY (entity_id)
    REFERENCES guacamole_entity (entity_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

-- History keeps its rows when the user, connection or sharing profile goes
-- away: the names are copied and the ids become NULL.
CREATE TABLE guacamole_connection_history (
  history_id               int(11)       NOT NULL AUTO_INCREMENT,
  user_id                  int(11)       NULL DEFAULT NULL,
  username                 varchar(128)  NOT NULL,
  remote_host              varchar(256)  NULL DEFAULT NULL,
  connection_id            int(11)       NULL DEFAULT NULL,
  connection_name          varchar(128)  NOT NULL,
  sharing_profile_id       int(11)       NULL DEFAULT NULL,
  sharing_profile_name     varchar(128)  NULL DEFAULT NULL,
  start_date               datetime      NOT NULL,
  end_date                 datetime      NULL DEFAULT NULL,
  PRIMARY KEY (history_id),
  KEY user_id (user_id),
  KEY connection_id (connection_id),
  KEY sharing_profile_id (sharing_profile_id),
  KEY start_date (start_date),
  KEY end_date (end_date),
  KEY connection_start_date (connection_id, start_date),
  CONSTRAINT guacamole_connection_history_ibfk_1 FOREIGN KEY (user_id)
    REFERENCES guacamole_user (user_id) ON DELETE SET NULL,
  CONSTRAINT guacamole_connection_history_ibfk_2 FOREIGN KEY (connection_id)
    REFERENCES guacamole_connection (connection_id) ON DELETE SET NULL,
  CONSTRAINT guacamole_connection_history_ibfk_3 FOREIGN KEY (sharing_profile_id)
    REFERENCES guacamole_sharing_profile (sharing_profile_id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE guacamole_user_history (
  history_id               int(11)       NOT NULL AUTO_INCREMENT,
  user_id                  int(11)       NULL DEFAULT NULL,
  username                 varchar(128)  NOT NULL,
  remote_host              varchar(256)  NULL DEFAULT NULL,
  start_date               datetime      NOT NULL,
  end_date                 datetime      NULL DEFAULT NULL,
  PRIMARY KEY (history_id),
  KEY user_id (user_id),
  KEY start_date (start_date),
  KEY end_date (end_date),
  KEY user_start_date (user_id, start_date),
  CONSTRAINT guacamole_user_history_ibfk_1 FOREIGN KEY (user_id)
    REFERENCES guacamole_user (user_id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE guacamole_user_password_history (
  password_history_id      int(11)       NOT NULL AUTO_INCREMENT,
  user_id                  int(11)       NOT NULL,
  password_hash            binary(32)    NOT NULL,
  password_salt            binary(32)    NULL,
  password_date            datetime      NOT NULL,
  PRIMARY KEY (password_history_id),
  KEY user_id (user_id),
  CONSTRAINT guacamole_user_password_history_ibfk_1 FOREIGN KEY (user_id)
    REFERENCES guacamole_user (user_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;
