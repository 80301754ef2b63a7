-- Tier changes of the filtered customers in the period (from x to x reason), plus the number
-- of customers in each tier on the as-of date (rows with reason 'current').
with
-- @include filtered_customers
,

moves as (
    select events.from_tier, events.to_tier, events.reason, count(*) as customers
    from stg_membership_events as events
    inner join filtered_customers on filtered_customers.customer_id = events.customer_id
    where events.changed_at >= cast($period_start as timestamp) and events.changed_at < $as_of_end
    group by events.from_tier, events.to_tier, events.reason
),

current_tiers as (
    select null as from_tier, membership_tier as to_tier, 'current' as reason, count(*) as customers
    from filtered_customers
    group by membership_tier
)

select * from moves
union all
select * from current_tiers
order by reason, from_tier, to_tier
