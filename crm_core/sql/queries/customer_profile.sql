-- One customer as of the as-of date: archive, membership, points, RFM, value tier, lifecycle
-- stage, account manager, spend this calendar year, and open complaints.
with
-- @include segment_base
,

lifetime as (
    -- completed orders up to the as-of date, and where the customer's spend ranks among buyers
    select
        customer_id,
        count(*) as count_orders,
        sum(amount) as revenue,
        max(ordered_at) as last_ordered_at,
        min(ordered_at) as first_ordered_at,
        sum(amount) filter (where ordered_on >= cast(date_trunc('year', cast($as_of as date)) as date))
            as spend_this_year,
        percent_rank() over (order by sum(amount)) as revenue_percentile
    from order_facts
    where is_completed and ordered_on <= $as_of
    group by customer_id
),

points as (
    select sum(points) as points_balance
    from stg_points_ledger
    where customer_id = $customer_id and entry_at < $as_of_end
),

complaints as (
    select
        count(*) filter (where resolved_at is null or resolved_at >= $as_of_end) as open_complaints,
        max(opened_at) filter (where resolved_at is null or resolved_at >= $as_of_end) as last_open_complaint_at
    from stg_interactions
    where customer_id = $customer_id and interaction_type = 'complaint' and opened_at < $as_of_end
),

final as (
    select
        features.customer_id,
        features.customer_name,
        features.email,
        features.phone,
        features.gender,
        features.birth_year,
        segment_base.age_band,
        features.city,
        features.region,
        features.acquisition_channel,
        features.signed_up_on,
        features.has_email_consent,
        features.has_sms_consent,
        segment_base.membership_tier,
        coalesce(points.points_balance, 0) as points_balance,
        segment_base.value_tier,
        segment_base.rfm_segment,
        segment_base.lifecycle_stage,
        rfm_scored.r_score,
        rfm_scored.f_score,
        rfm_scored.m_score,
        rfm_scored.frequency as orders_lookback,
        rfm_scored.monetary as spend_lookback,
        coalesce(lifetime.count_orders, 0) as count_orders,
        coalesce(lifetime.revenue, 0) as revenue,
        lifetime.first_ordered_at,
        lifetime.last_ordered_at,
        date_diff('day', cast(lifetime.last_ordered_at as date), cast($as_of as date)) as days_since_last_order,
        case when lifetime.count_orders > 1 then
            date_diff('day', cast(lifetime.first_ordered_at as date), cast(lifetime.last_ordered_at as date))
            / (lifetime.count_orders - 1.0)
        end as avg_days_between_orders,
        coalesce(lifetime.spend_this_year, 0) as spend_this_year,
        lifetime.revenue_percentile,
        features.account_manager_id,
        managers.manager_name,
        managers.left_on as manager_left_on,
        coalesce(managers.left_on <= $as_of, false) as has_departed_manager,
        complaints.open_complaints,
        complaints.last_open_complaint_at
    from customer_features as features
    inner join segment_base on segment_base.customer_id = features.customer_id
    left join rfm_scored on rfm_scored.customer_id = features.customer_id
    left join lifetime on lifetime.customer_id = features.customer_id
    left join stg_account_managers as managers on managers.manager_id = features.account_manager_id
    cross join points
    cross join complaints
    where features.customer_id = $customer_id
)

select * from final
