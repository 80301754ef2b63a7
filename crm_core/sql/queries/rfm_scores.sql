-- RFM rows of the filtered customers at the as-of date (scores are ranked over all customers).
with
-- @include filtered_customers
,
-- @include rfm_scored

select rfm_scored.*
from rfm_scored
inner join filtered_customers on filtered_customers.customer_id = rfm_scored.customer_id
