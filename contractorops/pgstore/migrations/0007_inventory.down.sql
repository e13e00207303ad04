DROP TABLE IF EXISTS inventory_counts, inventory_purchase_orders, inventory_transfers, inventory_reservations,
	inventory_balances, inventory_movements, inventory_policies, inventory_locations, inventory_suppliers, inventory_items;
