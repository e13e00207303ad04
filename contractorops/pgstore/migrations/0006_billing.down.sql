DROP TABLE IF EXISTS time_entries, credit_accounts, receipts, credit_memos, invoices, estimates,
	pricebook_versions, pricebooks, billing_settings;
