-- Predicted CLV by a breakdown (value tier from the RFM mart, membership tier on the as-of
-- date, acquisition channel, region or CLV tier).
with
-- @include filtered_customers

select
    case $breakdown
        when 'value_tier' then coalesce(rfm.value_tier, 'no_purchase')
        when 'membership_tier' then filtered_customers.membership_tier
        when 'acquisition_channel' then coalesce(filtered_customers.acquisition_channel, 'unknown')
        when 'region' then coalesce(filtered_customers.region, 'unknown')
        when 'clv_tier' then clv.clv_tier
    end as breakdown_value,
    count(*) as customers,
    avg(clv.predicted_clv) as mean_clv,
    median(clv.predicted_clv) as median_clv,
    sum(clv.predicted_clv) as total_clv,
    avg(clv.p_alive) as mean_p_alive
from customer_clv as clv
inner join filtered_customers on filtered_customers.customer_id = clv.customer_id
left join customer_rfm as rfm on rfm.customer_id = clv.customer_id
group by all
order by total_clv desc
