-- Quintile scores, RFM segment and value tier of rfm_base rows (customer_id, snapshot_date,
-- recency_days, frequency, monetary), ranked among the customers of the same snapshot date.
rfm_ranked as (
    -- quintile scores 1-5 (5 best) from percent_rank: equal values share a rank, hence a
    -- score, and the result does not depend on row order
    select
        *,
        cast(least(5, 1 + floor(5 * percent_rank() over (partition by snapshot_date order by recency_days desc))) as integer) as r_score,
        cast(least(5, 1 + floor(5 * percent_rank() over (partition by snapshot_date order by frequency))) as integer) as f_score,
        cast(least(5, 1 + floor(5 * percent_rank() over (partition by snapshot_date order by monetary))) as integer) as m_score
    from rfm_base
),

-- @include rfm_labels
