-- Association rules A -> B between products or categories ($level) bought in the same completed
-- order, over the baskets of the filtered customers in the $basket_days days up to the as-of
-- date. support = share of baskets holding A and B; confidence = P(B | A); lift = confidence /
-- P(B). Rules whose pair appears in fewer than $min_baskets baskets are left out.
with
-- @include filtered_customers
,

rule_customers as (
    select customer_id from filtered_customers
),

-- @include association_rules
,

final as (
    select * from rules
)

select * from final
order by lift desc, confidence desc, antecedent, consequent
