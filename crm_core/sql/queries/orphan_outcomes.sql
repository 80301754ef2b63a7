-- How orphaned relationships fared after the manager left, against similar customers: for each
-- manager who left without a handover at least $horizon_days days before the as-of date, the
-- manager's customers who were active when the manager left (a completed order in the 365 days
-- before) and, as the comparison, active customers of the same region on the same day whose
-- manager stayed for the whole $horizon_days days. Outcome: the days from the leaving day to the
-- customer's next completed order (none: censored at the as-of date). One row per group and
-- 30-day bucket of that delay (0 = within 30 days; null = no order by the as-of date).
-- In a region of more than $comparison_cap customers the comparison pool is a fixed sample.
with
-- @include filtered_customers
,

departures as (
    select manager_id, region, left_on
    from stg_account_managers
    where left_on is not null
        and left_on + interval 1 day * $horizon_days <= cast($as_of as date)
),

region_sizes as (
    -- every k-th customer of a region is in its comparison pool (k = 1 up to $comparison_cap)
    select region, cast(greatest(1, count(*) // $comparison_cap) as ubigint) as every_kth
    from filtered_customers
    group by region
),

known as (
    -- the comparison pool of a large region is a fixed pseudo-random sample of about
    -- $comparison_cap of its customers (by a hash of the id); the departing managers' own
    -- customers are always all kept (only these two kinds are kept)
    select
        customers.customer_id,
        customers.account_manager_id,
        customers.region,
        customers.signed_up_on,
        hash(customers.customer_id) % region_sizes.every_kth = 0 as in_comparison_pool
    from filtered_customers as customers
    inner join region_sizes on region_sizes.region = customers.region
    left join (select distinct manager_id from departures) as gone on gone.manager_id = customers.account_manager_id
    where hash(customers.customer_id) % region_sizes.every_kth = 0 or gone.manager_id is not null
),

stayers as (
    -- per departure, the managers (of any region) already there that day who stayed for the
    -- whole $horizon_days days after it: the comparison customers' managers
    select departures.manager_id as departed_manager_id, departures.region, departures.left_on, own.manager_id
    from departures
    inner join stg_account_managers as own
        on own.hired_on <= departures.left_on
        and (own.left_on is null or own.left_on > departures.left_on + interval 1 day * $horizon_days)
),

cohorts as (
    -- every (departure, customer) pair of the departure's region: the departing manager's own
    -- customers, and the comparison pool's customers of a manager who stayed (paired through
    -- the managers: pairing every pool customer with every departure of the region first made
    -- ~2.6M pairs at L, to keep ~360,000)
    select
        departures.manager_id as departed_manager_id,
        departures.left_on,
        known.customer_id,
        'orphaned' as outcome_group
    from departures
    inner join known
        on known.account_manager_id = departures.manager_id
        and known.region = departures.region
        and known.signed_up_on <= departures.left_on
    union all
    select stayers.departed_manager_id, stayers.left_on, known.customer_id, 'comparison'
    from stayers
    inner join known
        on known.account_manager_id = stayers.manager_id
        and known.region = stayers.region
        and known.signed_up_on <= stayers.left_on
    where known.in_comparison_pool
),

order_days as (
    -- the completed order days of the customers paired above (a few percent of all orders),
    -- each with the customer's next order day. A day's first completed order is the one whose
    -- previous completed order (order_facts.previous_completed_on) was on another day: one row
    -- per day without grouping
    select customer_id, ordered_on, lead(ordered_on) over (partition by customer_id order by ordered_on) as next_on
    from order_facts
    where is_completed
        and ordered_on <= $as_of
        and coalesce(previous_completed_on <> ordered_on, true)
        and customer_id in (select customer_id from cohorts)
),

active as (
    -- active when the manager left: the last completed order on or before that day is less than
    -- 365 days old (ASOF: the latest order day per pair in one sort-merge pass); the order day
    -- after it is the first after the manager left (none by the as-of date: censored)
    select cohorts.*, last_order.next_on
    from cohorts
    asof inner join order_days as last_order
        on last_order.customer_id = cohorts.customer_id and last_order.ordered_on <= cohorts.left_on
    where last_order.ordered_on > cohorts.left_on - interval 365 day
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
        date_diff('day', active.left_on, active.next_on) as days_to_next_order
    from active
    where active.departed_manager_id in (select departed_manager_id from orphaning_departures)
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
