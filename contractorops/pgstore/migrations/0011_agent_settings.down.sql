DROP TABLE IF EXISTS agent_settings;
