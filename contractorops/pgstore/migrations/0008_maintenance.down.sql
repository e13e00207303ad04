DROP TABLE IF EXISTS contract_sla_records, scheduled_visits, contract_schedules, service_contracts;
