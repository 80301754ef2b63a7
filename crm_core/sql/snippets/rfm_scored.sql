-- rfm_scored: begin (segments.filtered_sql reads customer_rfm instead at the build's as-of date)
rfm_orders as (
    select customer_id, ordered_on, amount
    from order_facts
    where is_completed and ordered_on <= $as_of
),

rfm_base as (
    -- recency: days since the last completed order; frequency and monetary: completed orders
    -- and their revenue in the $lookback_days days up to the as-of date
    select
        customer_id,
        date_diff('day', max(ordered_on), cast($as_of as date)) as recency_days,
        count(*) filter (where ordered_on > cast($as_of as date) - interval 1 day * $lookback_days) as frequency,
        coalesce(
            sum(amount) filter (where ordered_on > cast($as_of as date) - interval 1 day * $lookback_days), 0
        ) as monetary
    from rfm_orders
    group by customer_id
),

rfm_ranked as (
    -- quintile scores 1-5 (5 best) from percent_rank: equal values share a rank, hence a
    -- score, and the result does not depend on row order
    select
        *,
        cast(least(5, 1 + floor(5 * percent_rank() over (order by recency_days desc))) as integer) as r_score,
        cast(least(5, 1 + floor(5 * percent_rank() over (order by frequency))) as integer) as f_score,
        cast(least(5, 1 + floor(5 * percent_rank() over (order by monetary))) as integer) as m_score
    from rfm_base
),

rfm_scored as (
    select
        *,
        cast(floor((f_score + m_score + 1) / 2) as integer) as fm_score,
        case
            when r_score = 5 and cast(floor((f_score + m_score + 1) / 2) as integer) >= 4 then 'champions'
            when r_score = 4 and cast(floor((f_score + m_score + 1) / 2) as integer) = 5 then 'champions'
            when r_score = 4 and cast(floor((f_score + m_score + 1) / 2) as integer) = 4 then 'loyal'
            when r_score = 3 and cast(floor((f_score + m_score + 1) / 2) as integer) >= 4 then 'loyal'
            when r_score >= 4 and cast(floor((f_score + m_score + 1) / 2) as integer) between 2 and 3
                then 'potential_loyalists'
            when r_score = 5 then 'new_customers'
            when r_score = 4 then 'promising'
            when r_score = 3 and cast(floor((f_score + m_score + 1) / 2) as integer) = 3 then 'need_attention'
            when r_score = 3 then 'about_to_sleep'
            when cast(floor((f_score + m_score + 1) / 2) as integer) = 5 then 'cant_lose_them'
            when cast(floor((f_score + m_score + 1) / 2) as integer) >= 3 then 'at_risk'
            when r_score = 2 then 'hibernating'
            else 'lost'
        end as rfm_segment,
        case
            when recency_days > 365 then 'lost'
            when recency_days > 180 then 'at_risk'
            when m_score = 5 and f_score >= 4 then 'high_value'
            when r_score >= 4 or f_score + m_score >= 7 then 'potential'
            else 'general'
        end as value_tier
    from rfm_ranked
)
-- rfm_scored: end
