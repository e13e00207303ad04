-- 0004: API keys.
--
-- api_keys is each organization's record of its keys (never their secrets);
-- api_key_index holds, in the platform organization, what authenticating a
-- key needs before its organization is known: its hash and its scope.

CREATE TABLE api_keys (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	name text COLLATE "C",
	revoked text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id)
);
CREATE INDEX api_keys_name ON api_keys (organization_id, name, id);
CREATE INDEX api_keys_revoked ON api_keys (organization_id, revoked, name, id);
SELECT opsengine_protect('api_keys');

CREATE TABLE api_key_index (
	organization_id uuid NOT NULL,
	id text COLLATE "C" NOT NULL,
	version bigint NOT NULL,
	org text COLLATE "C",
	data jsonb NOT NULL,
	PRIMARY KEY (organization_id, id)
);
CREATE INDEX api_key_index_org ON api_key_index (organization_id, org, id);
SELECT opsengine_protect('api_key_index');
