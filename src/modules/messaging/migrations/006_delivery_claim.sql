-- Claiming walks a dispatch's queued deliveries of one channel in creation order: without this index every claim
-- sorted all of them (200,000 for a large broadcast).
create index msg_delivery_claim on msg_delivery (ente_id, dispatch_id, channel, created_at, id) where state = 'queued';
