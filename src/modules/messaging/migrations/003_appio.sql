-- messaging / App IO: when the submit of an App IO message started. IO's submitMessage has no idempotency key,
-- so a delivery left 'sending' by a worker that died is ambiguous only if this is set (the request may have
-- reached IO); without it the worker died before submitting and the delivery is simply sent again.
alter table msg_delivery add column appio_submit_at timestamptz;
