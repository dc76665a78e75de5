-- Guacamole 1.6.0-compatible schema for PostgreSQL, used only by our tests.
-- This is our own DDL, written from the documented table definitions
-- (see /work/shared/reference/guacamole-db.md, sections 2-8 and 15): same table
-- and column names, types, nullability, defaults, keys and ON DELETE actions as
-- Guacamole's JDBC schema. It is not a copy of Guacamole's scripts.
-- The admin user lives in postgresql-seed.sql.

-- Enumerations. PostgreSQL refuses a text-typed value for these columns: writers
-- must cast, e.g. $1::guacamole_object_permission_type.
CREATE TYPE guacamole_connection_group_type AS ENUM ('ORGANIZATIONAL', 'BALANCING');
CREATE TYPE guacamole_entity_type AS ENUM ('USER', 'USER_GROUP');
CREATE TYPE guacamole_object_permission_type AS ENUM ('READ', 'UPDATE', 'DELETE', 'ADMINISTER');
CREATE TYPE guacamole_system_permission_type AS ENUM (
  'CREATE_CONNECTION', 'CREATE_CONNECTION_GROUP', 'CREATE_SHARING_PROFILE',
  'CREATE_USER', 'CREATE_USER_GROUP', 'AUDIT', 'ADMINISTER'
);
CREATE TYPE guacamole_proxy_encryption_method AS ENUM ('NONE', 'SSL');

-- Connection tree. parent_id NULL means ROOT; the unique key does not apply
-- there because NULLs are distinct.
CREATE TABLE guacamole_connection_group (
  connection_group_id      serial        NOT NULL PRIMARY KEY,
  parent_id                integer       NULL,
  connection_group_name    varchar(128)  NOT NULL,
  type                     guacamole_connection_group_type NOT NULL DEFAULT 'ORGANIZATIONAL',
  max_connections          integer       NULL,
  max_connections_per_user integer       NULL,
  enable_session_affinity  boolean       NOT NULL DEFAULT FALSE,
  CONSTRAINT connection_group_name_parent UNIQUE (connection_group_name, parent_id),
  CONSTRAINT guacamole_connection_group_ibfk_1 FOREIGN KEY (parent_id)
    REFERENCES guacamole_connection_group (connection_group_id) ON DELETE CASCADE
);
CREATE INDEX guacamole_connection_group_parent_id ON guacamole_connection_group (parent_id);

CREATE TABLE guacamole_connection (
  connection_id            serial        NOT NULL PRIMARY KEY,
  connection_name          varchar(128)  NOT NULL,
  parent_id                integer       NULL,
  protocol                 varchar(32)   NOT NULL,
  max_connections          integer       NULL,
  max_connections_per_user integer       NULL,
  connection_weight        integer       NULL,
  failover_only            boolean       NOT NULL DEFAULT FALSE,
  proxy_port               integer       NULL,
  proxy_hostname           varchar(512)  NULL,
  proxy_encryption_method  guacamole_proxy_encryption_method NULL,
  CONSTRAINT connection_name_parent UNIQUE (connection_name, parent_id),
  CONSTRAINT guacamole_connection_ibfk_1 FOREIGN KEY (parent_id)
    REFERENCES guacamole_connection_group (connection_group_id) ON DELETE CASCADE
);
CREATE INDEX guacamole_connection_parent_id ON guacamole_connection (parent_id);

-- Principals: every user and user group is an entity first.
CREATE TABLE guacamole_entity (
  entity_id                serial        NOT NULL PRIMARY KEY,
  name                     varchar(128)  NOT NULL,
  type                     guacamole_entity_type NOT NULL,
  CONSTRAINT guacamole_entity_name_scope UNIQUE (type, name)
);

CREATE TABLE guacamole_user (
  user_id                  serial        NOT NULL PRIMARY KEY,
  entity_id                integer       NOT NULL,
  password_hash            bytea         NOT NULL,
  password_salt            bytea         NULL,
  password_date            timestamptz   NOT NULL,
  disabled                 boolean       NOT NULL DEFAULT FALSE,
  expired                  boolean       NOT NULL DEFAULT FALSE,
  access_window_start      time          NULL,
  access_window_end        time          NULL,
  valid_from               date          NULL,
  valid_until              date          NULL,
  timezone                 varchar(64)   NULL,
  full_name                varchar(256)  NULL,
  email_address            varchar(256)  NULL,
  organization             varchar(256)  NULL,
  organizational_role      varchar(256)  NULL,
  CONSTRAINT guacamole_user_single_entity UNIQUE (entity_id),
  CONSTRAINT guacamole_user_entity FOREIGN KEY (entity_id)
    REFERENCES guacamole_entity (entity_id) ON DELETE CASCADE
);

CREATE TABLE guacamole_user_group (
  user_group_id            serial        NOT NULL PRIMARY KEY,
  entity_id                integer       NOT NULL,
  disabled                 boolean       NOT NULL DEFAULT FALSE,
  CONSTRAINT guacamole_user_group_single_entity UNIQUE (entity_id),
  CONSTRAINT guacamole_user_group_entity FOREIGN KEY (entity_id)
    REFERENCES guacamole_entity (entity_id) ON DELETE CASCADE
);

-- A member is any entity, so groups nest.
CREATE TABLE guacamole_user_group_member (
  user_group_id            integer       NOT NULL,
  member_entity_id         integer       NOT NULL,
  PRIMARY KEY (user_group_id, member_entity_id),
  CONSTRAINT guacamole_user_group_member_parent FOREIGN KEY (user_group_id)
    REFERENCES guacamole_user_group (user_group_id) ON DELETE CASCADE,
  CONSTRAINT guacamole_user_group_member_entity FOREIGN KEY (member_entity_id)
    REFERENCES guacamole_entity (entity_id) ON DELETE CASCADE
);

CREATE TABLE guacamole_sharing_profile (
  sharing_profile_id       serial        NOT NULL PRIMARY KEY,
  sharing_profile_name     varchar(128)  NOT NULL,
  primary_connection_id    integer       NOT NULL,
  CONSTRAINT sharing_profile_name_primary UNIQUE (sharing_profile_name, primary_connection_id),
  CONSTRAINT guacamole_sharing_profile_ibfk_1 FOREIGN KEY (primary_connection_id)
    REFERENCES guacamole_connection (connection_id) ON DELETE CASCADE
);
CREATE INDEX guacamole_sharing_profile_primary_connection_id
  ON guacamole_sharing_profile (primary_connection_id);

-- Name/value tables. Values are limited to 4096 characters in 1.6.0.
CREATE TABLE guacamole_connection_parameter (
  connection_id            integer       NOT NULL,
  parameter_name           varchar(128)  NOT NULL,
  parameter_value          varchar(4096) NOT NULL,
  PRIMARY KEY (connection_id, parameter_name),
  CONSTRAINT guacamole_connection_parameter_ibfk_1 FOREIGN KEY (connection_id)
    REFERENCES guacamole_connection (connection_id) ON DELETE CASCADE
);
CREATE INDEX guacamole_connection_parameter_connection_id
  ON guacamole_connection_parameter (connection_id);

CREATE TABLE guacamole_sharing_profile_parameter (
  sharing_profile_id       integer       NOT NULL,
  parameter_name           varchar(128)  NOT NULL,
  parameter_value          varchar(4096) NOT NULL,
  PRIMARY KEY (sharing_profile_id, parameter_name),
  CONSTRAINT guacamole_sharing_profile_parameter_ibfk_1 FOREIGN KEY (sharing_profile_id)
    REFERENCES guacamole_sharing_profile (sharing_profile_id) ON DELETE CASCADE
);
CREATE INDEX guacamole_sharing_profile_parameter_sharing_profile_id
  ON guacamole_sharing_profile_parameter (sharing_profile_id);

CREATE TABLE guacamole_user_attribute (
  user_id                  integer       NOT NULL,
  attribute_name           varchar(128)  NOT NULL,
  attribute_value          varchar(4096) NOT NULL,
  PRIMARY KEY (user_id, attribute_name),
  CONSTRAINT guacamole_user_attribute_ibfk_1 FOREIGN KEY (user_id)
    REFERENCES guacamole_user (user_id) ON DELETE CASCADE
);
CREATE INDEX guacamole_user_attribute_user_id ON guacamole_user_attribute (user_id);

CREATE TABLE guacamole_user_group_attribute (
  user_group_id            integer       NOT NULL,
  attribute_name           varchar(128)  NOT NULL,
  attribute_value          varchar(4096) NOT NULL,
  PRIMARY KEY (user_group_id, attribute_name),
  CONSTRAINT guacamole_user_group_attribute_ibfk_1 FOREIGN KEY (user_group_id)
    REFERENCES guacamole_user_group (user_group_id) ON DELETE CASCADE
);
CREATE INDEX guacamole_user_group_attribute_user_group_id
  ON guacamole_user_group_attribute (user_group_id);

CREATE TABLE guacamole_connection_attribute (
  connection_id            integer       NOT NULL,
  attribute_name           varchar(128)  NOT NULL,
  attribute_value          varchar(4096) NOT NULL,
  PRIMARY KEY (connection_id, attribute_name),
  CONSTRAINT guacamole_connection_attribute_ibfk_1 FOREIGN KEY (connection_id)
    REFERENCES guacamole_connection (connection_id) ON DELETE CASCADE
);
CREATE INDEX guacamole_connection_attribute_connection_id
  ON guacamole_connection_attribute (connection_id);

CREATE TABLE guacamole_connection_group_attribute (
  connection_group_id      integer       NOT NULL,
  attribute_name           varchar(128)  NOT NULL,
  attribute_value          varchar(4096) NOT NULL,
  PRIMARY KEY (connection_group_id, attribute_name),
  CONSTRAINT guacamole_connection_group_attribute_ibfk_1 FOREIGN KEY (connection_group_id)
    REFERENCES guacamole_connection_group (connection_group_id) ON DELETE CASCADE
);
CREATE INDEX guacamole_connection_group_attribute_connection_group_id
  ON guacamole_connection_group_attribute (connection_group_id);

CREATE TABLE guacamole_sharing_profile_attribute (
  sharing_profile_id       integer       NOT NULL,
  attribute_name           varchar(128)  NOT NULL,
  attribute_value          varchar(4096) NOT NULL,
  PRIMARY KEY (sharing_profile_id, attribute_name),
  CONSTRAINT guacamole_sharing_profile_attribute_ibfk_1 FOREIGN KEY (sharing_profile_id)
    REFERENCES guacamole_sharing_profile (sharing_profile_id) ON DELETE CASCADE
);
CREATE INDEX guacamole_sharing_profile_attribute_sharing_profile_id
  ON guacamole_sharing_profile_attribute (sharing_profile_id);

-- Grants. Every grant goes to an entity; only the user and user-group tables
-- name their object by user_id / user_group_id (not entity_id).
CREATE TABLE guacamole_connection_permission (
  entity_id                integer       NOT NULL,
  connection_id            integer       NOT NULL,
  permission               guacamole_object_permission_type NOT NULL,
  PRIMARY KEY (entity_id, connection_id, permission),
  CONSTRAINT guacamole_connection_permission_ibfk_1 FOREIGN KEY (connection_id)
    REFERENCES guacamole_connection (connection_id) ON DELETE CASCADE,
  CONSTRAINT guacamole_connection_permission_entity FOREIGN KEY (entity_id)
    REFERENCES guacamole_entity (entity_id) ON DELETE CASCADE
);
CREATE INDEX guacamole_connection_permission_connection_id
  ON guacamole_connection_permission (connection_id);
CREATE INDEX guacamole_connection_permission_entity_id
  ON guacamole_connection_permission (entity_id);

CREATE TABLE guacamole_connection_group_permission (
  entity_id                integer       NOT NULL,
  connection_group_id      integer       NOT NULL,
  permission               guacamole_object_permission_type NOT NULL,
  PRIMARY KEY (entity_id, connection_group_id, permission),
  CONSTRAINT guacamole_connection_group_permission_ibfk_1 FOREIGN KEY (connection_group_id)
    REFERENCES guacamole_connection_group (connection_group_id) ON DELETE CASCADE,
  CONSTRAINT guacamole_connection_group_permission_entity FOREIGN KEY (entity_id)
    REFERENCES guacamole_entity (entity_id) ON DELETE CASCADE
);
CREATE INDEX guacamole_connection_group_permission_connection_group_id
  ON guacamole_connection_group_permission (connection_group_id);
CREATE INDEX guacamole_connection_group_permission_entity_id
  ON guacamole_connection_group_permission (entity_id);

CREATE TABLE guacamole_sharing_profile_permission (
  entity_id                integer       NOT NULL,
  sharing_profile_id       integer       NOT NULL,
  permission               guacamole_object_permission_type NOT NULL,
  PRIMARY KEY (entity_id, sharing_profile_id, permission),
  CONSTRAINT guacamole_sharing_profile_permission_ibfk_1 FOREIGN KEY (sharing_profile_id)
    REFERENCES guacamole_sharing_profile (sharing_profile_id) ON DELETE CASCADE,
  CONSTRAINT guacamole_sharing_profile_permission_entity FOREIGN KEY (entity_id)
    REFERENCES guacamole_entity (entity_id) ON DELETE CASCADE
);
CREATE INDEX guacamole_sharing_profile_permission_sharing_profile_id
  ON guacamole_sharing_profile_permission (sharing_profile_id);
CREATE INDEX guacamole_sharing_profile_permission_entity_id
  ON guacamole_sharing_profile_permission (entity_id);

CREATE TABLE guacamole_system_permission (
  entity_id                integer       NOT NULL,
  permission               guacamole_system_permission_type NOT NULL,
  PRIMARY KEY (entity_id, permission),
  CONSTRAINT guacamole_system_permission_entity FOREIGN KEY (entity_id)
    REFERENCES guacamole_entity (entity_id) ON DELETE CASCADE
);
CREATE INDEX guacamole_system_permission_entity_id ON guacamole_system_permission (entity_id);

CREATE TABLE guacamole_user_permission (
  entity_id                integer       NOT NULL,
  affected_user_id         integer       NOT NULL,
  permission               guacamole_object_permission_type NOT NULL,
  PRIMARY KEY (entity_id, affected_user_id, permission),
  CONSTRAINT guacamole_user_permission_ibfk_1 FOREIGN KEY (affected_user_id)
    REFERENCES guacamole_user (user_id) ON DELETE CASCADE,
  CONSTRAINT guacamole_user_permission_entity FOREIGN KEY (entity_id)
    REFERENCES guacamole_entity (entity_id) ON DELETE CASCADE
);
CREATE INDEX guacamole_user_permission_affected_user_id
  ON guacamole_user_permission (affected_user_id);
CREATE INDEX guacamole_user_permission_entity_id ON guacamole_user_permission (entity_id);

CREATE TABLE guacamole_user_group_permission (
  entity_id                integer       NOT NULL,
  affected_user_group_id   integer       NOT NULL,
  permission               guacamole_object_permission_type NOT NULL,
  PRIMARY KEY (entity_id, affected_user_group_id, permission),
  CONSTRAINT guacamole_user_group_permission_affected_user_group FOREIGN KEY (affected_user_group_id)
    REFERENCES guacamole_user_group (user_group_id) ON DELETE CASCADE,
  CONSTRAINT guacamole_user_group_permission_entity FOREIGN KEY (entity_id)
    REFERENCES guacamole_entity (entity_id) ON DELETE CASCADE
);
CREATE INDEX guacamole_user_group_permission_affected_user_group_id
  ON guacamole_user_group_permission (affected_user_group_id);
CREATE INDEX guacamole_user_group_permission_entity_id
  ON guacamole_user_group_permission (entity_id);

-- History keeps its rows when the user, connection or sharing profile goes
-- away: the names are copied and the ids become NULL.
CREATE TABLE guacamole_connection_history (
  history_id               serial        NOT NULL PRIMARY KEY,
  user_id                  integer       NULL DEFAULT NULL,
  username                 varchar(128)  NOT NULL,
  remote_host              varchar(256)  NULL DEFAULT NULL,
  connection_id            integer       NULL DEFAULT NULL,
  connection_name          varchar(128)  NOT NULL,
  sharing_profile_id       integer       NULL DEFAULT NULL,
  sharing_profile_name     varchar(128)  NULL DEFAULT NULL,
  start_date               timestamptz   NOT NULL,
  end_date                 timestamptz   NULL DEFAULT NULL,
  CONSTRAINT guacamole_connection_history_ibfk_1 FOREIGN KEY (user_id)
    REFERENCES guacamole_user (user_id) ON DELETE SET NULL,
  CONSTRAINT guacamole_connection_history_ibfk_2 FOREIGN KEY (connection_id)
    REFERENCES guacamole_connection (connection_id) ON DELETE SET NULL,
  CONSTRAINT guacamole_connection_history_ibfk_3 FOREIGN KEY (sharing_profile_id)
    REFERENCES guacamole_sharing_profile (sharing_profile_id) ON DELETE SET NULL
);
CREATE INDEX guacamole_connection_history_user_id ON guacamole_connection_history (user_id);
CREATE INDEX guacamole_connection_history_connection_id
  ON guacamole_connection_history (connection_id);
CREATE INDEX guacamole_connection_history_sharing_profile_id
  ON guacamole_connection_history (sharing_profile_id);
CREATE INDEX guacamole_connection_history_start_date ON guacamole_connection_history (start_date);
CREATE INDEX guacamole_connection_history_end_date ON guacamole_connection_history (end_date);
CREATE INDEX guacamole_connection_history_connection_id_start_date
  ON guacamole_connection_history (connection_id, start_date);

CREATE TABLE guacamole_user_history (
  history_id               serial        NOT NULL PRIMARY KEY,
  user_id                  integer       NULL DEFAULT NULL,
  username                 varchar(128)  NOT NULL,
  remote_host              varchar(256)  NULL DEFAULT NULL,
  start_date               timestamptz   NOT NULL,
  end_date                 timestamptz   NULL DEFAULT NULL,
  CONSTRAINT guacamole_user_history_ibfk_1 FOREIGN KEY (user_id)
    REFERENCES guacamole_user (user_id) ON DELETE SET NULL
);
CREATE INDEX guacamole_user_history_user_id ON guacamole_user_history (user_id);
CREATE INDEX guacamole_user_history_start_date ON guacamole_user_history (start_date);
CREATE INDEX guacamole_user_history_end_date ON guacamole_user_history (end_date);
CREATE INDEX guacamole_user_history_user_id_start_date
  ON guacamole_user_history (user_id, start_date);

CREATE TABLE guacamole_user_password_history (
  password_history_id      serial        NOT NULL PRIMARY KEY,
  user_id                  integer       NOT NULL,
  password_hash            bytea         NOT NULL,
  password_salt            bytea         NULL,
  password_date            timestamptz   NOT NULL,
  CONSTRAINT guacamole_user_password_history_ibfk_1 FOREIGN KEY (user_id)
    REFERENCES guacamole_user (user_id) ON DELETE CASCADE
);
CREATE INDEX guacamole_user_password_history_user_id
  ON guacamole_user_password_history (user_id);
