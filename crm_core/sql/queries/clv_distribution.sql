-- Predicted CLV histogram on a log scale: quarter-decade bins (¥10-17.8, ¥17.8-31.6, ...);
-- values under 1 share the first bin. Returns one row per bin, never a point per customer.
with
-- @include filtered_customers
,

binned as (
    select
        case when clv.predicted_clv < 1 then -1 else floor(log10(clv.predicted_clv) * 4) end as bin,
        clv.predicted_clv
    from customer_clv as clv
    inner join filtered_customers on filtered_customers.customer_id = clv.customer_id
)

select
    bin,
    case when bin < 0 then 0 else power(10, bin / 4) end as lower_bound,
    case when bin < 0 then 1 else power(10, (bin + 1) / 4) end as upper_bound,
    count(*) as customers,
    sum(predicted_clv) as total_clv
from binned
group by bin
order by bin
