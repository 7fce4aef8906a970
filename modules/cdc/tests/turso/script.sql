-- The statement script run by both Keel and Turso; their turso_cdc rows
-- must match apart from change_time. DDL runs before capture starts: the
-- two engines store different SQL text and root pages in sqlite_schema.
-- Not here (README, "Differences from Turso"): UPSERT, whose before image
-- Turso 0.7.2 takes after the update, and UPDATE of the rowid, whose insert
-- row Turso 0.7.2 writes with the new image in `before`.
CREATE TABLE t(x INTEGER PRIMARY KEY, y, z TEXT)
CREATE TABLE kv(k TEXT PRIMARY KEY, v INTEGER)
CREATE TABLE u(a INTEGER PRIMARY KEY, b UNIQUE)
PRAGMA unstable_capture_data_changes_conn('full')
INSERT INTO t VALUES (1, 2, 'a'), (3, 4.5, 'b'), (5, NULL, x'00ff')
UPDATE t SET y = 3 WHERE x = 1
UPDATE t SET z = 'c', y = 10 WHERE x = 3
DELETE FROM t WHERE x = 5
BEGIN
INSERT INTO kv VALUES ('a', 1)
INSERT INTO kv VALUES ('b', 2)
UPDATE kv SET v = 20 WHERE k = 'b'
COMMIT
INSERT INTO u VALUES (1, 'p'), (2, 'q')
INSERT OR REPLACE INTO u VALUES (3, 'p')
BEGIN
INSERT INTO t VALUES (100, -1, 'r')
ROLLBACK
DELETE FROM kv
PRAGMA unstable_capture_data_changes_conn('id')
INSERT INTO t VALUES (200, 1, 'id only')
DELETE FROM t WHERE x = 3
PRAGMA unstable_capture_data_changes_conn('full')
INSERT INTO t VALUES (-9000000000, -0.25, 'négatif'), (2147483648, 1e300, '')
BEGIN
INSERT INTO t VALUES (300, 1, 's')
SAVEPOINT sp
INSERT INTO t VALUES (301, 1, 's')
ROLLBACK TO sp
RELEASE sp
UPDATE t SET y = y + 1 WHERE x = 300
COMMIT
!INSERT INTO u VALUES (10, 'x'), (11, 'p')
INSERT INTO u VALUES (12, 'y')
DELETE FROM u
PRAGMA unstable_capture_data_changes_conn('after')
INSERT INTO kv VALUES ('z', 26)
PRAGMA unstable_capture_data_changes_conn('before')
UPDATE kv SET v = 27 WHERE k = 'z'
BEGIN
INSERT INTO u VALUES (20, 'm')
UPDATE t SET z = 'both' WHERE x = 300
DELETE FROM kv
COMMIT
