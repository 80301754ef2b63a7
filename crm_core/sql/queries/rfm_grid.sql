-- The R x F grid: customers, revenue in the lookback and revenue per customer per cell.
with
-- @include filtered_customers
,
-- @include rfm_scored
,

final as (
    select
        rfm_scored.r_score,
        rfm_scored.f_score,
        count(*) as customers,
        sum(rfm_scored.monetary) as revenue,
        sum(rfm_scored.monetary) / count(*) as revenue_per_customer
    from rfm_scored
    inner join filtered_customers on filtered_customers.customer_id = rfm_scored.customer_id
    group by rfm_scored.r_score, rfm_scored.f_score
)

select * from final
order by r_score, f_score
