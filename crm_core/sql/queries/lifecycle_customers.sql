-- The customers in one stage at the snapshot (optionally coming from $from_stage at
-- $from_date, optionally in one breakdown value), for the drill-down list and its export.
with
-- @include filtered_customers
,
-- @include lifecycle_at_snapshot
,
-- @include breakdown_value
,

earlier as (
    select customer_id, stage from staged where month_end = $from_date
),

final as (
    select
        features.customer_id,
        features.customer_name,
        features.email,
        features.phone,
        features.city,
        features.region,
        features.acquisition_channel,
        filtered_customers.membership_tier,
        staged.stage,
        coalesce(earlier.stage, 'not_yet_known') as stage_before,
        features.signed_up_on,
        staged.days_since_last_order,
        staged.count_orders_365d,
        staged.count_orders_to_date,
        features.has_email_consent,
        features.has_sms_consent
    from staged
    inner join snapshot on snapshot.snapshot_date = staged.month_end
    inner join filtered_customers on filtered_customers.customer_id = staged.customer_id
    inner join breakdown on breakdown.customer_id = staged.customer_id
    inner join customer_features as features on features.customer_id = staged.customer_id
    left join earlier on earlier.customer_id = staged.customer_id
    where staged.stage = $stage
        and ($from_stage = '' or coalesce(earlier.stage, 'not_yet_known') = $from_stage)
        and ($breakdown_value = '' or breakdown.breakdown_value = $breakdown_value)
)

-- listed_customers: all the rows of the selection, before any page is cut from them
select *, count(*) over () as listed_customers from final
