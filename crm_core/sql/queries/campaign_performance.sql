-- One row per campaign per segment ('all', then one per membership tier at assignment) with
-- the counts, sums and variances the campaign page turns into rates, lifts and intervals.
-- $window_days = 0 uses each campaign's own attribution window.
with
-- @include filtered_customers
,

results as (
    select
        results.*,
        case when $window_days = 0 then results.attribution_window_days else $window_days end as window_days_used
    from campaign_results as results
    inner join filtered_customers on filtered_customers.customer_id = results.customer_id
    where results.assigned_at < $as_of_end
),

measured as (
    select
        campaign_id,
        membership_tier_at_assignment,
        assignment_group = 'treated' as is_treated,
        is_delivered,
        is_opened,
        is_clicked,
        is_unsubscribed,
        coalesce(first_order_after_days <= window_days_used, false) as is_converted,
        case $window_days
            when 0 then revenue_in_window
            when 7 then revenue_7d
            when 14 then revenue_14d
            when 30 then revenue_30d
            when 60 then revenue_60d
            else revenue_90d
        end as revenue,
        spend_90d_before,
        revenue_30d,
        revenue_60d,
        revenue_90d,
        assigned_at + interval 1 day * window_days_used as window_closes_at,
        assigned_at + interval 90 day as followup_closes_at
    from results
),

grouped as (
    select
        campaign_id,
        case when grouping(membership_tier_at_assignment) = 1 then 'all' else membership_tier_at_assignment end
            as segment,
        count(*) filter (where is_treated) as n_treated,
        count(*) filter (where not is_treated) as n_holdout,
        count(*) filter (where is_treated and is_delivered) as count_delivered,
        count(*) filter (where is_treated and is_opened) as count_opened,
        count(*) filter (where is_treated and is_clicked) as count_clicked,
        count(*) filter (where is_treated and is_unsubscribed) as count_unsubscribed,
        count(*) filter (where is_treated and is_opened and not is_clicked) as count_opened_not_clicked,
        count(*) filter (where is_treated and is_clicked and not is_converted) as count_clicked_not_converted,
        count(*) filter (where is_treated and is_converted) as conversions_treated,
        count(*) filter (where not is_treated and is_converted) as conversions_holdout,
        coalesce(sum(revenue) filter (where is_treated), 0) as revenue_treated,
        coalesce(sum(revenue) filter (where not is_treated), 0) as revenue_holdout,
        var_samp(revenue) filter (where is_treated) as revenue_var_treated,
        var_samp(revenue) filter (where not is_treated) as revenue_var_holdout,
        avg(spend_90d_before) filter (where is_treated) as spend_before_treated,
        avg(spend_90d_before) filter (where not is_treated) as spend_before_holdout,
        var_samp(spend_90d_before) filter (where is_treated) as spend_before_var_treated,
        var_samp(spend_90d_before) filter (where not is_treated) as spend_before_var_holdout,
        avg(revenue_30d) filter (where is_treated) as spend_30d_treated,
        avg(revenue_30d) filter (where not is_treated) as spend_30d_holdout,
        var_samp(revenue_30d) filter (where is_treated) as spend_30d_var_treated,
        var_samp(revenue_30d) filter (where not is_treated) as spend_30d_var_holdout,
        avg(revenue_60d) filter (where is_treated) as spend_60d_treated,
        avg(revenue_60d) filter (where not is_treated) as spend_60d_holdout,
        var_samp(revenue_60d) filter (where is_treated) as spend_60d_var_treated,
        var_samp(revenue_60d) filter (where not is_treated) as spend_60d_var_holdout,
        avg(revenue_90d) filter (where is_treated) as spend_90d_treated,
        avg(revenue_90d) filter (where not is_treated) as spend_90d_holdout,
        var_samp(revenue_90d) filter (where is_treated) as spend_90d_var_treated,
        var_samp(revenue_90d) filter (where not is_treated) as spend_90d_var_holdout,
        max(window_closes_at) as window_closes_at,
        max(followup_closes_at) as followup_closes_at
    from measured
    group by grouping sets ((campaign_id), (campaign_id, membership_tier_at_assignment))
),

final as (
    select
        grouped.*,
        campaigns.campaign_name,
        campaigns.channel,
        campaigns.objective,
        campaigns.target_segment,
        campaigns.started_at,
        campaigns.cost,
        campaigns.attribution_window_days,
        grouped.window_closes_at >= $as_of_end as is_window_open
    from grouped
    inner join stg_campaigns as campaigns on campaigns.campaign_id = grouped.campaign_id
)

select * from final
order by started_at, campaign_id, segment
