-- Customers whose completed spend this calendar year (to the as-of date) is within $within
-- below the threshold of the next tier up: the upgrade-offer list.
with
-- @include filtered_customers
,

year_spend as (
    -- the calendar year's whole months from customer_monthly_activity (one row per customer
    -- and month), the as-of date's own month from the orders (at L: ~1.5M rows grouped by
    -- customer instead of ~4.3M orders)
    select parts.customer_id, sum(parts.amount) as spend_this_year
    from (
        select customer_id, revenue as amount
        from customer_monthly_activity
        where order_month >= cast(date_trunc('year', cast($as_of as date)) as date)
            and order_month < cast(date_trunc('month', cast($as_of as date)) as date)
        union all
        select customer_id, amount
        from order_facts
        where is_completed
            and ordered_on >= cast(date_trunc('month', cast($as_of as date)) as date)
            and ordered_on <= $as_of
    ) as parts
    inner join filtered_customers on filtered_customers.customer_id = parts.customer_id
    group by parts.customer_id
),

targets as (
    select
        filtered_customers.customer_id,
        filtered_customers.membership_tier,
        coalesce(year_spend.spend_this_year, 0) as spend_this_year,
        case filtered_customers.membership_tier
            when 'normal' then 'silver'
            when 'silver' then 'gold'
            when 'gold' then 'diamond'
        end as next_tier,
        case filtered_customers.membership_tier
            when 'normal' then $silver
            when 'silver' then $gold
            when 'gold' then $diamond
        end as next_threshold
    from filtered_customers
    left join year_spend on year_spend.customer_id = filtered_customers.customer_id
),

final as (
    select
        targets.*,
        targets.next_threshold - targets.spend_this_year as spend_to_next_tier,
        features.customer_name,
        features.email,
        features.phone,
        features.has_email_consent,
        features.has_sms_consent
    from targets
    inner join customer_features as features on features.customer_id = targets.customer_id
    where targets.next_threshold is not null
        and targets.spend_this_year < targets.next_threshold
        and targets.spend_this_year >= targets.next_threshold * (1 - $within)
)

select * from final
order by spend_to_next_tier, customer_id
