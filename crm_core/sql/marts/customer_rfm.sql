-- grain: one row per customer with at least one completed order on or before the as-of date
-- RFM scores over a 365-day lookback at the as-of date: the as-of snapshot of customer_rfm_monthly
-- (pages may choose another lookback and recompute with the rfm_scored snippet).
select * exclude (snapshot_date)
from customer_rfm_monthly
where snapshot_date = $as_of
