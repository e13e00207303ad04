-- 0009: placeholder on branch agents only, standing for branch cam's 0009 so that
-- pgstore (which refuses gaps) can migrate to 0010 here. Drop this file at merge.
SELECT 1;
