-- What to offer the filtered customers (the sidebar's filters and saved segment): for each rule
-- A -> B with lift above 1 (learned from every customer's baskets in the $basket_days days up
-- to the as-of date), the filtered customers who bought A in that time and have never bought B.
-- expected_buyers = those customers x the rule's confidence (a rough size, not a forecast).
with
-- @include filtered_customers
,

rule_customers as (
    select customer_id from customer_features
),

-- @include association_rules
,

customer_items as (
    select
        lines.customer_id,
        case when $level = 'product' then cast(lines.product_id as varchar) else lines.category end as item,
        max(lines.ordered_on) > cast($as_of as date) - interval 1 day * $basket_days as bought_recently
    from basket_lines as lines
    inner join filtered_customers on filtered_customers.customer_id = lines.customer_id
    where lines.ordered_on <= $as_of
    group by 1, 2
),

eligible as (
    select rules.antecedent, rules.consequent, count(*) as eligible_customers
    from rules
    inner join customer_items as had_a on had_a.item = rules.antecedent and had_a.bought_recently
    left join customer_items as had_b on had_b.customer_id = had_a.customer_id and had_b.item = rules.consequent
    where had_b.customer_id is null and rules.lift > 1
    group by rules.antecedent, rules.consequent
),

final as (
    select
        rules.*,
        eligible.eligible_customers,
        eligible.eligible_customers * rules.confidence as expected_buyers
    from rules
    inner join eligible on eligible.antecedent = rules.antecedent and eligible.consequent = rules.consequent
)

select * from final
order by expected_buyers desc, lift desc, antecedent, consequent
limit $max_rows
