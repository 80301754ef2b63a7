-- High value at risk: customers in the top 20 % of past completed spend (among the filtered
-- scored customers) whose probability of still being active has fallen below $p_alive_below.
with
-- @include filtered_customers
,

-- @include segment_snapshot
,

spend as (
    -- spend to date: lifecycle_monthly's running total at the last snapshot on or before the
    -- as-of date, plus the completed orders after it (none at the build's as-of date) instead of
    -- every order ever. A customer without a row at that snapshot signed up after it, and so has
    -- no order before it (the data test no_activity_before_signup)
    select
        customer_id,
        sum(amount) as past_spend,
        max(last_ordered_on) as last_ordered_on
    from (
        select customer_id, revenue_to_date as amount, last_ordered_on
        from lifecycle_monthly
        where month_end = (select snapshot_date from segment_snapshot) and count_orders_to_date > 0
        union all
        select customer_id, amount, ordered_on
        from order_facts
        where is_completed
            and ordered_on > (select snapshot_date from segment_snapshot)
            and ordered_on <= $as_of
    ) as parts
    where customer_id in (select customer_id from filtered_customers)
    group by customer_id
),

ranked as (
    select
        spend.customer_id,
        spend.past_spend,
        spend.last_ordered_on,
        clv.p_alive,
        clv.predicted_clv,
        clv.clv_tier,
        clv.frequency,
        percent_rank() over (order by spend.past_spend desc) as spend_rank
    from customer_clv as clv
    inner join spend on spend.customer_id = clv.customer_id
),

listed as (
    -- the list's rows before the customers' names and contacts are read for them
    select *
    from ranked
    where spend_rank < 0.2 and p_alive < $p_alive_below
    order by past_spend desc, customer_id
    limit $row_limit
)

select
    listed.customer_id,
    features.customer_name,
    features.email,
    features.phone,
    features.has_email_consent,
    features.has_sms_consent,
    features.region,
    round(listed.past_spend, 2) as past_spend,
    cast(listed.last_ordered_on as varchar) as last_ordered_on,
    round(listed.p_alive, 3) as p_alive,
    round(listed.predicted_clv, 2) as predicted_clv,
    listed.clv_tier,
    cast(listed.frequency as integer) as repeat_purchase_days
from listed
inner join customer_features as features on features.customer_id = listed.customer_id
order by listed.past_spend desc, listed.customer_id
