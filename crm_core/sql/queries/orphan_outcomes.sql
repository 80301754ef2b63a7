-- How orphaned relationships fared after the manager left, against similar customers: for each
-- manager who left without a handover at least $horizon_days days before the as-of date, the
-- manager's customers who were active when the manager left (a completed order in the 365 days
-- before) and, as the comparison, active customers of the same region on the same day whose
-- manager stayed for the whole $horizon_days days. Outcome: the days from the leaving day to the
-- customer's next completed order (none: censored at the as-of date). One row per group and
-- 30-day bucket of that delay (0 = within 30 days; null = no order by the as-of date).
with
-- @include filtered_customers
,

departures as (
    select manager_id, region, left_on
    from stg_account_managers
    where left_on is not null
        and left_on + interval 1 day * $horizon_days <= cast($as_of as date)
),

known as (
    select features.customer_id, features.account_manager_id, features.region, features.signed_up_on
    from customer_features as features
    inner join filtered_customers on filtered_customers.customer_id = features.customer_id
),

completed as (
    select customer_id, ordered_on
    from order_facts
    where is_completed and ordered_on <= $as_of
),

cohorts as (
    -- every (departure, customer) pair: the departing manager's own customers, or customers of
    -- the same region whose manager was still there $horizon_days days after that departure
    select
        departures.manager_id as departed_manager_id,
        departures.left_on,
        known.customer_id,
        case when known.account_manager_id = departures.manager_id then 'orphaned' else 'comparison' end
            as outcome_group
    from departures
    inner join known on known.region = departures.region and known.signed_up_on <= departures.left_on
    left join stg_account_managers as own on own.manager_id = known.account_manager_id
    where known.account_manager_id = departures.manager_id
        or (
            own.manager_id is not null
            and own.hired_on <= departures.left_on
            and (own.left_on is null or own.left_on > departures.left_on + interval 1 day * $horizon_days)
        )
),

active as (
    select cohorts.*
    from cohorts
    where exists (
        select 1 from completed
        where completed.customer_id = cohorts.customer_id
            and completed.ordered_on <= cohorts.left_on
            and completed.ordered_on > cohorts.left_on - interval 365 day
    )
),

orphaning_departures as (
    -- departures that left active customers behind (a manager who handed everyone over, or
    -- whose customers were all inactive, has no orphaned group to compare)
    select distinct departed_manager_id from active where outcome_group = 'orphaned'
),

next_order as (
    select
        active.outcome_group,
        active.departed_manager_id,
        active.customer_id,
        min(date_diff('day', active.left_on, completed.ordered_on)) as days_to_next_order
    from active
    left join completed
        on completed.customer_id = active.customer_id
        and completed.ordered_on > active.left_on
    where active.departed_manager_id in (select departed_manager_id from orphaning_departures)
    group by active.outcome_group, active.departed_manager_id, active.customer_id
),

final as (
    select
        outcome_group,
        cast(floor((days_to_next_order - 1) / 30.0) as integer) as month_bucket,
        count(*) as customers,
        count(distinct departed_manager_id) as departures
    from next_order
    group by outcome_group, month_bucket
)

select * from final
order by outcome_group, month_bucket nulls last
