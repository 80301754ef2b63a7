-- What to offer one customer: rules A -> B (learned from every customer's baskets in the
-- $basket_days days up to the as-of date) whose A the customer has bought and whose B they
-- have not. For each B, the reason is the rule with the highest confidence.
with rule_customers as (
    select customer_id from customer_features
),

-- @include association_rules
,

bought as (
    select
        case when $level = 'product' then cast(product_id as varchar) else category end as item,
        count(distinct order_id) as orders_with_item,
        max(ordered_on) as last_bought_on
    from basket_lines
    where customer_id = $customer_id and ordered_on <= $as_of
    group by 1
),

candidates as (
    select
        rules.*,
        bought.orders_with_item as customer_orders_with_antecedent,
        bought.last_bought_on,
        row_number() over (
            partition by rules.consequent
            order by rules.confidence desc, rules.lift desc, rules.antecedent
        ) as rank_in_consequent
    from rules
    inner join bought on bought.item = rules.antecedent
    where rules.consequent not in (select item from bought)
        and rules.lift > 1
),

final as (
    select *
    from candidates
    where rank_in_consequent = 1
)

select * from final
order by confidence desc, lift desc, consequent
limit $max_rows
