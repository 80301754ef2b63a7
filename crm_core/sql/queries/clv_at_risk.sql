-- High value at risk: customers in the top 20 % of past completed spend (among the filtered
-- scored customers) whose probability of still being active has fallen below $p_alive_below.
with
-- @include filtered_customers
,

spend as (
    select order_facts.customer_id, sum(order_facts.amount) as past_spend, max(order_facts.ordered_on) as last_ordered_on
    from order_facts
    inner join filtered_customers on filtered_customers.customer_id = order_facts.customer_id
    where order_facts.is_completed and order_facts.ordered_on <= $as_of
    group by order_facts.customer_id
),

ranked as (
    select
        clv.*,
        spend.past_spend,
        spend.last_ordered_on,
        percent_rank() over (order by spend.past_spend desc) as spend_rank
    from customer_clv as clv
    inner join spend on spend.customer_id = clv.customer_id
)

select
    ranked.customer_id,
    features.customer_name,
    features.email,
    features.phone,
    features.has_email_consent,
    features.has_sms_consent,
    features.region,
    round(ranked.past_spend, 2) as past_spend,
    cast(ranked.last_ordered_on as varchar) as last_ordered_on,
    round(ranked.p_alive, 3) as p_alive,
    round(ranked.predicted_clv, 2) as predicted_clv,
    ranked.clv_tier,
    cast(ranked.frequency as integer) as repeat_purchase_days
from ranked
inner join customer_features as features on features.customer_id = ranked.customer_id
where ranked.spend_rank < 0.2 and ranked.p_alive < $p_alive_below
order by ranked.past_spend desc, ranked.customer_id
limit $row_limit
