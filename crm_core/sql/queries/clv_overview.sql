-- Headline figures of the scored customers who pass the filters (scores as of the scoring date).
with
-- @include filtered_customers

select
    count(*) as customers,
    avg(clv.p_alive) as mean_p_alive,
    count(*) filter (where clv.p_alive < 0.5) as likely_lapsed,
    sum(clv.expected_purchases_90d) as expected_purchases_90d,
    sum(clv.expected_purchases_365d) as expected_purchases_365d,
    sum(clv.predicted_clv) as total_clv,
    avg(clv.predicted_clv) as mean_clv,
    median(clv.predicted_clv) as median_clv,
    avg(clv.expected_avg_order_value) as mean_expected_order_value
from customer_clv as clv
inner join filtered_customers on filtered_customers.customer_id = clv.customer_id
