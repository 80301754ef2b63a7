-- @include rfm_scored
,

-- @include segment_snapshot
,

-- not materialized: a query that lists a few customers (or selects some by a join) gets its
-- filters and join keys pushed into these joins instead of building every customer's row
-- first (the orphaned-customers list at L: 650 -> 260 ms)
segment_people as not materialized (
    -- every customer known on the as-of date with their own attributes (customer_features
    -- alone): what describes a segment's people without segment_base's four joins of every
    -- customer (DuckDB keeps a left join whose columns are unused unless the joined side is
    -- grouped by its key)
    select
        features.customer_id,
        features.region,
        features.city,
        features.acquisition_channel,
        features.gender,
        case
            when features.birth_year is null then 'unknown'
            when year(cast($as_of as date)) - features.birth_year < 25 then 'under_25'
            when year(cast($as_of as date)) - features.birth_year < 35 then '25_34'
            when year(cast($as_of as date)) - features.birth_year < 45 then '35_44'
            when year(cast($as_of as date)) - features.birth_year < 55 then '45_54'
            else '55_plus'
        end as age_band,
        features.has_email_consent,
        features.has_sms_consent,
        -- what a customer list shows besides (queries that do not read them never scan them)
        features.customer_name,
        features.email,
        features.phone,
        features.signed_up_on
    from customer_features as features
    where features.signed_up_at < $as_of_end
),

segment_rfm as not materialized (
    -- segment_people with their RFM scores at the as-of date (the same columns as segment_base
    -- gives them: tests/test_segments.py compares the two layers row by row)
    select
        people.*,
        coalesce(rfm_scored.value_tier, 'no_purchase') as value_tier,
        coalesce(rfm_scored.rfm_segment, 'no_purchase') as rfm_segment,
        coalesce(cast(rfm_scored.r_score as varchar), 'none') as r_score,
        coalesce(cast(rfm_scored.f_score as varchar), 'none') as f_score,
        coalesce(rfm_scored.monetary, 0) as monetary,
        coalesce(rfm_scored.frequency, 0) as frequency,
        rfm_scored.recency_days as days_since_last_order
    from segment_people as people
    left join rfm_scored on rfm_scored.customer_id = people.customer_id
),

segment_base as not materialized (
    -- every customer known on the as-of date with the attributes a segment can select on. Its
    -- joins hang off segment_people directly, not off segment_rfm: nested, DuckDB built a list's
    -- lookup of 200 customers on a million rows (orphaned customers at L p50 204 -> 295 ms)
    select
        features.*,
        coalesce(rfm_scored.value_tier, 'no_purchase') as value_tier,
        coalesce(rfm_scored.rfm_segment, 'no_purchase') as rfm_segment,
        coalesce(cast(rfm_scored.r_score as varchar), 'none') as r_score,
        coalesce(cast(rfm_scored.f_score as varchar), 'none') as f_score,
        coalesce(rfm_scored.monetary, 0) as monetary,
        coalesce(rfm_scored.frequency, 0) as frequency,
        rfm_scored.recency_days as days_since_last_order,
        coalesce(spells.membership_tier, cast('normal' as tier_t)) as membership_tier,
        coalesce(lifecycle.stage, 'cognition') as lifecycle_stage,
        -- lifetime value scores (scoring date; 'unscored' without a completed order or a fit)
        coalesce(clv.clv_tier, 'unscored') as clv_tier,
        clv.p_alive
    from segment_people as features
    left join rfm_scored on rfm_scored.customer_id = features.customer_id
    left join membership_tier_spells as spells
        on spells.customer_id = features.customer_id
        and spells.valid_from < $as_of_end
        and (spells.valid_to is null or spells.valid_to >= $as_of_end)
    left join customer_clv as clv on clv.customer_id = features.customer_id
    left join lifecycle_monthly as lifecycle
        on lifecycle.customer_id = features.customer_id
        and lifecycle.month_end = (select snapshot_date from segment_snapshot)
)
