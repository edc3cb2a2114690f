-- subscriptions: the confirm page finds the one-time codes of one request (one per channel) by its flow id.
create index msg_otp_flow on msg_otp (ente_id, (request ->> 'flow'));
