-- Customers whose completed spend this calendar year (to the as-of date) is within $within
-- below the threshold of the next tier up: the upgrade-offer list.
with
-- @include filtered_customers
,

year_spend as (
    select order_facts.customer_id, sum(order_facts.amount) as spend_this_year
    from order_facts
    inner join filtered_customers on filtered_customers.customer_id = order_facts.customer_id
    where order_facts.is_completed
        and order_facts.ordered_on >= cast(date_trunc('year', cast($as_of as date)) as date)
        and order_facts.ordered_on <= $as_of
    group by order_facts.customer_id
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
