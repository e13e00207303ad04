DROP TABLE IF EXISTS technician_time_off, technicians, contractor_compliance, service_areas,
	contractor_insurance_policies, contractor_licenses, contractor_trades, contractor_branches;
