-- Expected incremental value of contacting each customer: P(alive) x predicted CLV x the
-- conversion lift (absolute, treated minus holdout) of the best campaign proven to work
-- (verdict 'positive') for the customer's membership tier; when no campaign is proven for the
-- tier, the best campaign proven for all customers. Customers with no proven campaign are left out.
with
-- @include filtered_customers
,

best_by_segment as (
    select segment, arg_max(campaign_id, lift_abs) as campaign_id, max(lift_abs) as lift_abs
    from campaign_lift
    where verdict = 'positive' and lift_abs > 0
    group by segment
),

matched as (
    select
        clv.customer_id,
        filtered_customers.membership_tier,
        clv.p_alive,
        clv.predicted_clv,
        coalesce(by_tier.campaign_id, overall.campaign_id) as campaign_id,
        coalesce(by_tier.lift_abs, overall.lift_abs) as lift_abs,
        case when by_tier.campaign_id is not null then 'tier' else 'all' end as lift_source
    from customer_clv as clv
    inner join filtered_customers on filtered_customers.customer_id = clv.customer_id
    left join best_by_segment as by_tier on by_tier.segment = filtered_customers.membership_tier
    left join best_by_segment as overall on overall.segment = 'all'
),

listed as (
    -- the list's rows by their value first: the customers' names and contacts are then read
    -- for these rows only, not for every scored customer
    select *, round(p_alive * predicted_clv * lift_abs, 2) as expected_incremental_value
    from matched
    where campaign_id is not null
    order by expected_incremental_value desc, customer_id
    limit $row_limit
)

select
    listed.customer_id,
    features.customer_name,
    features.email,
    features.phone,
    features.has_email_consent,
    features.has_sms_consent,
    listed.membership_tier,
    round(listed.p_alive, 3) as p_alive,
    round(listed.predicted_clv, 2) as predicted_clv,
    listed.campaign_id,
    campaigns.campaign_name,
    round(listed.lift_abs, 4) as lift_abs,
    listed.lift_source,
    listed.expected_incremental_value
from listed
inner join customer_features as features on features.customer_id = listed.customer_id
left join stg_campaigns as campaigns on campaigns.campaign_id = listed.campaign_id
order by listed.expected_incremental_value desc, listed.customer_id
