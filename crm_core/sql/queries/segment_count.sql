-- Customers and lookback revenue of the filters and active segment (the segment's conditions
-- are applied inside filtered_customers; only the revenue needs the RFM rows).
with
-- @include filtered_customers
,
-- @include rfm_scored

select count(*) as customers, coalesce(sum(rfm_scored.monetary), 0) as revenue
from filtered_customers
left join rfm_scored on rfm_scored.customer_id = filtered_customers.customer_id
