-- placeholder (see 0009_reserved.up.sql)
SELECT 1;
