-- Points of the filtered customers: per entry type and reason in the period, and the balance
-- outstanding on the as-of date (entry_type 'balance'), which is a liability of the firm.
with
-- @include filtered_customers
,

ledger as not materialized (
    -- read twice below, each time with its own filters pushed into the scan (materialized, the
    -- whole ledger up to the as-of date was copied: 12.8M rows at L)
    select ledger.*
    from stg_points_ledger as ledger
    inner join filtered_customers on filtered_customers.customer_id = ledger.customer_id
),

in_period as (
    -- grouped by the (entry type, reason) pair's number in the contract's lists ($entry_types,
    -- $reasons): distinct customers per pair group a million (pair, customer) keys, integers
    -- rather than two strings each (points_summary at L p95 -30 %). The customers of a pair are
    -- the rows of a grouping by (pair, customer): a count distinct copied every entry first (at
    -- L a 365-day period's CPU time 1.16 -> 0.75 s)
    select
        $entry_types[pair // len($reasons) + 1] as entry_type,
        $reasons[pair % len($reasons) + 1] as reason,
        sum(points) as points,
        count(*) as customers
    from (
        select pair, sum(points) as points
        from (
            select
                customer_id,
                points,
                (list_position($entry_types, entry_type) - 1) * len($reasons) + list_position($reasons, reason) - 1
                    as pair
            from ledger
            where entry_at >= cast($period_start as timestamp)
                and entry_at < $as_of_end
        )
        group by pair, customer_id
    )
    group by pair
),

balance as (
    -- the outstanding total only: how many customers hold a balance is not counted (it would
    -- group the whole ledger by customer: 0.7 s of the page's 1.4 s at a million customers).
    -- The balances on the build's as-of date (customer_features) less what was entered after
    -- the as-of date up to then: none on the build's date; before it, fewer entries to read than
    -- the whole ledger up to the as-of date, unless the as-of date is early in the history
    select
        'balance' as entry_type,
        'outstanding' as reason,
        (
            select sum(features.points_balance)
            from customer_features as features
            inner join filtered_customers on filtered_customers.customer_id = features.customer_id
        ) - coalesce((
            select sum(later.points)
            from ledger as later
            where later.entry_at >= $as_of_end
                and later.entry_at < cast($built_as_of as date) + interval 1 day
        ), 0) as points,
        cast(null as bigint) as customers
)

select * from in_period
union all
select * from balance
order by entry_type, reason
