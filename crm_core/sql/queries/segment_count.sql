-- Customers and lookback revenue of the filters and active segment.
with
-- @include filtered_customers
,
-- @include segment_base

select count(*) as customers, coalesce(sum(segment_base.monetary), 0) as revenue
from segment_base
inner join filtered_customers on filtered_customers.customer_id = segment_base.customer_id
