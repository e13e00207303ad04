DROP TABLE IF EXISTS events, visits, jobs, sla_settings;
