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
