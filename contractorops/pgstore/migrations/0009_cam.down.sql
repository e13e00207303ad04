DROP TABLE IF EXISTS cam_delivery, cam_published_compliance, cam_links;
DROP FUNCTION IF EXISTS cam_links_guard();
