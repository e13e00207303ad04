DROP TABLE IF EXISTS api_key_index, api_keys;
