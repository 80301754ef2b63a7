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

selected as (
    -- the selection, narrow: what the list sorts, pages and counts by
    select
        staged.customer_id,
        breakdown.membership_tier,
        staged.stage,
        coalesce(earlier.stage, 'not_yet_known') as stage_before,
        breakdown.signed_up_on,
        staged.days_since_last_order,
        staged.count_orders_365d,
        staged.count_orders_to_date
    from staged
    inner join snapshot on snapshot.snapshot_date = staged.month_end
    inner join breakdown on breakdown.customer_id = staged.customer_id  -- the filtered customers
    left join earlier on earlier.customer_id = staged.customer_id
    where staged.stage = $stage
        and ($from_stage = '' or coalesce(earlier.stage, 'not_yet_known') = $from_stage)
        and ($breakdown_value = '' or breakdown.breakdown_value = $breakdown_value)
),

page as (
    -- the list's rows in its order and its page, before the customers' own columns are read:
    -- lifecycle.stage_customers writes in {sort_join} and {page} (an allow-listed sort key and
    -- the limit; nothing when the selection is only counted).
    -- listed_customers: all the rows of the selection, before any page is cut from them
    select selected.*, count(*) over () as listed_customers
    from selected
    {sort_join}
    {page}
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
        page.membership_tier,
        page.stage,
        page.stage_before,
        page.signed_up_on,
        page.days_since_last_order,
        page.count_orders_365d,
        page.count_orders_to_date,
        features.has_email_consent,
        features.has_sms_consent,
        page.listed_customers
    from page
    inner join customer_features as features on features.customer_id = page.customer_id
)

select * from final
