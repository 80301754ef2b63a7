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

by_arm as (
    -- each arm (treated, holdout) of each campaign, overall and per tier, with plain aggregates
    -- over the assignments (the arms' side by side below is a pivot of these few rows: 40
    -- filtered aggregates over every assignment cost 2-3x as much)
    select
        campaign_id,
        case when grouping(membership_tier_at_assignment) = 1 then 'all' else membership_tier_at_assignment end
            as segment,
        is_treated,
        count(*) as n,
        count(*) filter (where is_delivered) as count_delivered,
        count(*) filter (where is_opened) as count_opened,
        count(*) filter (where is_clicked) as count_clicked,
        count(*) filter (where is_unsubscribed) as count_unsubscribed,
        count(*) filter (where is_opened and not is_clicked) as count_opened_not_clicked,
        count(*) filter (where is_clicked and not is_converted) as count_clicked_not_converted,
        count(*) filter (where is_converted) as conversions,
        coalesce(sum(revenue), 0) as revenue,
        var_samp(revenue) as revenue_var,
        avg(spend_90d_before) as spend_before,
        var_samp(spend_90d_before) as spend_before_var,
        avg(revenue_30d) as spend_30d,
        var_samp(revenue_30d) as spend_30d_var,
        avg(revenue_60d) as spend_60d,
        var_samp(revenue_60d) as spend_60d_var,
        avg(revenue_90d) as spend_90d,
        var_samp(revenue_90d) as spend_90d_var,
        max(window_closes_at) as window_closes_at,
        max(followup_closes_at) as followup_closes_at
    from measured
    group by grouping sets ((campaign_id, is_treated), (campaign_id, membership_tier_at_assignment, is_treated))
),

grouped as (
    select
        campaign_id,
        segment,
        cast(coalesce(sum(n) filter (where is_treated), 0) as bigint) as n_treated,
        cast(coalesce(sum(n) filter (where not is_treated), 0) as bigint) as n_holdout,
        cast(coalesce(sum(count_delivered) filter (where is_treated), 0) as bigint) as count_delivered,
        cast(coalesce(sum(count_opened) filter (where is_treated), 0) as bigint) as count_opened,
        cast(coalesce(sum(count_clicked) filter (where is_treated), 0) as bigint) as count_clicked,
        cast(coalesce(sum(count_unsubscribed) filter (where is_treated), 0) as bigint) as count_unsubscribed,
        cast(coalesce(sum(count_opened_not_clicked) filter (where is_treated), 0) as bigint) as count_opened_not_clicked,
        cast(coalesce(sum(count_clicked_not_converted) filter (where is_treated), 0) as bigint) as count_clicked_not_converted,
        cast(coalesce(sum(conversions) filter (where is_treated), 0) as bigint) as conversions_treated,
        cast(coalesce(sum(conversions) filter (where not is_treated), 0) as bigint) as conversions_holdout,
        coalesce(sum(revenue) filter (where is_treated), 0) as revenue_treated,
        coalesce(sum(revenue) filter (where not is_treated), 0) as revenue_holdout,
        max(revenue_var) filter (where is_treated) as revenue_var_treated,
        max(revenue_var) filter (where not is_treated) as revenue_var_holdout,
        max(spend_before) filter (where is_treated) as spend_before_treated,
        max(spend_before) filter (where not is_treated) as spend_before_holdout,
        max(spend_before_var) filter (where is_treated) as spend_before_var_treated,
        max(spend_before_var) filter (where not is_treated) as spend_before_var_holdout,
        max(spend_30d) filter (where is_treated) as spend_30d_treated,
        max(spend_30d) filter (where not is_treated) as spend_30d_holdout,
        max(spend_30d_var) filter (where is_treated) as spend_30d_var_treated,
        max(spend_30d_var) filter (where not is_treated) as spend_30d_var_holdout,
        max(spend_60d) filter (where is_treated) as spend_60d_treated,
        max(spend_60d) filter (where not is_treated) as spend_60d_holdout,
        max(spend_60d_var) filter (where is_treated) as spend_60d_var_treated,
        max(spend_60d_var) filter (where not is_treated) as spend_60d_var_holdout,
        max(spend_90d) filter (where is_treated) as spend_90d_treated,
        max(spend_90d) filter (where not is_treated) as spend_90d_holdout,
        max(spend_90d_var) filter (where is_treated) as spend_90d_var_treated,
        max(spend_90d_var) filter (where not is_treated) as spend_90d_var_holdout,
        max(window_closes_at) as window_closes_at,
        max(followup_closes_at) as followup_closes_at
    from by_arm
    group by campaign_id, segment
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
