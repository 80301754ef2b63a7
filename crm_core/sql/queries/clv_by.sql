-- Predicted CLV by a breakdown (value tier from the RFM mart, membership tier on the as-of
-- date, acquisition channel, region or CLV tier). clv.clv_by writes in {breakdown_value} and
-- {breakdown_join} from its allow-list (clv.BREAKDOWN_SOURCES): only the value tier joins the
-- RFM scores, and only the membership tier needs filtered_customers' tier.
with
-- @include filtered_customers

select
    {breakdown_value} as breakdown_value,
    count(*) as customers,
    avg(clv.predicted_clv) as mean_clv,
    median(clv.predicted_clv) as median_clv,
    sum(clv.predicted_clv) as total_clv,
    avg(clv.p_alive) as mean_p_alive
from customer_clv as clv
inner join filtered_customers on filtered_customers.customer_id = clv.customer_id
{breakdown_join}
group by all
order by total_clv desc
