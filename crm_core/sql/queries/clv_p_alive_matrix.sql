-- Mean P(alive) over recency x frequency: repeat purchase days (0..19, 20+) by weeks from the
-- first to the last purchase (4-week bands, 104+ together).
with
-- @include filtered_customers

select
    cast(least(clv.frequency, 20) as integer) as frequency_band,
    cast(least(floor(clv.recency_weeks / 4) * 4, 104) as integer) as recency_band,
    count(*) as customers,
    avg(clv.p_alive) as mean_p_alive
from customer_clv as clv
inner join filtered_customers on filtered_customers.customer_id = clv.customer_id
group by all
order by frequency_band, recency_band
