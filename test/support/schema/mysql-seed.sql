-- Seed for our MySQL / MariaDB test schema (our own, not Guacamole's script): an
-- administrator "guacadmin" shaped like the one a fresh Guacamole database has.
-- The hash and salt are fixed dummy bytes, not a usable password.

INSERT INTO guacamole_entity (name, type) VALUES ('guacadmin', 'USER');

INSERT INTO guacamole_user (entity_id, password_hash, password_salt, password_date)
SELECT entity_id,
       x'0e78e682654ba33979536e7eb0bc32690e8e615eb8f5f4fbcb4cd49d5de31e9f',
       x'2d8e2e6a0d8489d78e0b0aa3fa63820db98d1e4739f37bb57c8318b8fe6b6c91',
       NOW()
FROM guacamole_entity
WHERE name = 'guacadmin' AND type = 'USER';

-- Every system permission except AUDIT, as Guacamole's own admin user gets.
INSERT INTO guacamole_system_permission (entity_id, permission)
SELECT e.entity_id, p.permission
FROM guacamole_entity e
CROSS JOIN (SELECT 'CREATE_CONNECTION' AS permission
            UNION ALL SELECT 'CREATE_CONNECTION_GROUP'
            UNION ALL SELECT 'CREATE_SHARING_PROFILE'
            UNION ALL SELECT 'CREATE_USER'
            UNION ALL SELECT 'CREATE_USER_GROUP'
            UNION ALL SELECT 'ADMINISTER') AS p
WHERE e.name = 'guacadmin' AND e.type = 'USER';

-- READ, UPDATE and ADMINISTER on itself.
INSERT INTO guacamole_user_permission (entity_id, affected_user_id, permission)
SELECT e.entity_id, u.user_id, p.permission
FROM guacamole_entity e
JOIN guacamole_user u ON u.entity_id = e.entity_id
CROSS JOIN (SELECT 'READ' AS permission
            UNION ALL SELECT 'UPDATE'
            UNION ALL SELECT 'ADMINISTER') AS p
WHERE e.name = 'guacadmin' AND e.type = 'USER';
