-- grain: one row per campaign per assigned customer (assigned on or before the as-of date)
-- A conversion is a completed order after assignment and inside the attribution window,
-- counted alike for the treated and the holdout. Revenue is kept for fixed windows too, so
-- that the page can change the window without rebuilding.
with sends as (
    select
        sends.campaign_id,
        sends.customer_id,
        sends.assigned_at,
        sends.is_holdout,
        sends.delivered_at,
        sends.opened_at,
        sends.clicked_at,
        sends.unsubscribed_at,
        campaigns.attribution_window_days
    from stg_campaign_sends as sends
    inner join stg_campaigns as campaigns on campaigns.campaign_id = sends.campaign_id
    where cast(sends.assigned_at as date) <= $as_of
),

completed_orders as (
    select customer_id, ordered_at, amount
    from order_facts
    where is_completed
),

after_assignment as (
    select
        sends.campaign_id,
        sends.customer_id,
        min(date_diff('second', sends.assigned_at, completed_orders.ordered_at)) / 86400.0
            as first_order_after_days,
        sum(completed_orders.amount) filter (
            where completed_orders.ordered_at <= sends.assigned_at + interval 1 day * sends.attribution_window_days
        ) as revenue_in_window,
        count(*) filter (
            where completed_orders.ordered_at <= sends.assigned_at + interval 1 day * sends.attribution_window_days
        ) as count_orders_in_window,
        sum(completed_orders.amount) filter (where completed_orders.ordered_at <= sends.assigned_at + interval 7 day)
            as revenue_7d,
        sum(completed_orders.amount) filter (where completed_orders.ordered_at <= sends.assigned_at + interval 14 day)
            as revenue_14d,
        sum(completed_orders.amount) filter (where completed_orders.ordered_at <= sends.assigned_at + interval 30 day)
            as revenue_30d,
        sum(completed_orders.amount) filter (where completed_orders.ordered_at <= sends.assigned_at + interval 60 day)
            as revenue_60d
    from sends
    inner join completed_orders
        on completed_orders.customer_id = sends.customer_id
        and completed_orders.ordered_at > sends.assigned_at
        and completed_orders.ordered_at
            <= sends.assigned_at + interval 1 day * greatest(90, sends.attribution_window_days)
    group by sends.campaign_id, sends.customer_id
),

revenue_90d as (
    select
        sends.campaign_id,
        sends.customer_id,
        sum(completed_orders.amount) as revenue_90d
    from sends
    inner join completed_orders
        on completed_orders.customer_id = sends.customer_id
        and completed_orders.ordered_at > sends.assigned_at
        and completed_orders.ordered_at <= sends.assigned_at + interval 90 day
    group by sends.campaign_id, sends.customer_id
),

before_assignment as (
    select
        sends.campaign_id,
        sends.customer_id,
        sum(completed_orders.amount) as spend_90d_before,
        count(*) as count_orders_90d_before
    from sends
    inner join completed_orders
        on completed_orders.customer_id = sends.customer_id
        and completed_orders.ordered_at <= sends.assigned_at
        and completed_orders.ordered_at > sends.assigned_at - interval 90 day
    group by sends.campaign_id, sends.customer_id
),

tier_at_assignment as (
    select sends.campaign_id, sends.customer_id, spells.membership_tier
    from sends
    inner join membership_tier_spells as spells
        on spells.customer_id = sends.customer_id
        and spells.valid_from <= sends.assigned_at
        and (spells.valid_to is null or spells.valid_to > sends.assigned_at)
),

final as (
    select
        sends.campaign_id,
        sends.customer_id,
        sends.assigned_at,
        sends.is_holdout,
        case when sends.is_holdout then 'holdout' else 'treated' end as assignment_group,
        sends.attribution_window_days,
        sends.delivered_at is not null as is_delivered,
        sends.opened_at is not null as is_opened,
        sends.clicked_at is not null as is_clicked,
        sends.unsubscribed_at is not null as is_unsubscribed,
        after_assignment.first_order_after_days,
        coalesce(after_assignment.first_order_after_days <= sends.attribution_window_days, false) as is_converted,
        coalesce(after_assignment.count_orders_in_window, 0) as count_orders_in_window,
        coalesce(after_assignment.revenue_in_window, 0) as revenue_in_window,
        coalesce(after_assignment.revenue_7d, 0) as revenue_7d,
        coalesce(after_assignment.revenue_14d, 0) as revenue_14d,
        coalesce(after_assignment.revenue_30d, 0) as revenue_30d,
        coalesce(after_assignment.revenue_60d, 0) as revenue_60d,
        coalesce(revenue_90d.revenue_90d, 0) as revenue_90d,
        coalesce(before_assignment.spend_90d_before, 0) as spend_90d_before,
        coalesce(before_assignment.count_orders_90d_before, 0) as count_orders_90d_before,
        coalesce(tier_at_assignment.membership_tier, 'normal') as membership_tier_at_assignment
    from sends
    left join after_assignment
        on after_assignment.campaign_id = sends.campaign_id and after_assignment.customer_id = sends.customer_id
    left join revenue_90d
        on revenue_90d.campaign_id = sends.campaign_id and revenue_90d.customer_id = sends.customer_id
    left join before_assignment
        on before_assignment.campaign_id = sends.campaign_id and before_assignment.customer_id = sends.customer_id
    left join tier_at_assignment
        on tier_at_assignment.campaign_id = sends.campaign_id
        and tier_at_assignment.customer_id = sends.customer_id
)

select * from final
