DROP TABLE IF EXISTS agent_runs, agent_notices;
