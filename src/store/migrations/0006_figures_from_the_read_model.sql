-- The per-segment and per-group tallies were a second way of counting the
-- campaign's figures beside the read model (src/campaign/figures.rs), which
-- computes every figure from the event log: they go. The event log and the
-- current statuses (parcel_status) stay as they are.
DROP TABLE IF EXISTS segment_tally;
DROP TABLE IF EXISTS group_tally;
