-- What to offer the filtered customers (the sidebar's filters and saved segment): for each rule
-- A -> B with lift above 1 (learned from every customer's baskets in the $basket_days days up
-- to the as-of date), the filtered customers who bought A in that time and have never bought B.
-- expected_buyers = those customers x the rule's confidence (a rough size, not a forecast).
-- Categories: each customer's categories bought in the window and ever are two bit masks (from
-- the window's baskets only), and
-- customers are counted per pair of masks; products: the segment's recent buyers of A who
-- never bought B, for the rules that can still make the list (uncounted_bound: see candidates).
with
-- @include filtered_customers
,

rule_customers as (
    select customer_id from customer_features
),

-- @include association_rules
,

customer_masks as (
    -- a customer with a basket in the window: its categories there, and every category bought
    -- up to its last basket there (the latest running mask, which only grows)
    select
        baskets.customer_id,
        bit_or(baskets.category_mask) as recent_mask,
        bit_or(baskets.categories_so_far_mask) as ever_mask
    from order_baskets as baskets
    inner join filtered_customers on filtered_customers.customer_id = baskets.customer_id
    where $level = 'category'
        and baskets.ordered_on <= $as_of
        and baskets.ordered_on > cast($as_of as date) - interval 1 day * $basket_days
    group by baskets.customer_id
),

mask_customers as (
    select recent_mask, ever_mask, count(*) as customers
    from customer_masks
    group by recent_mask, ever_mask
),

recent_lines as (
    select lines.customer_id, lines.product_id
    from basket_lines as lines
    inner join filtered_customers on filtered_customers.customer_id = lines.customer_id
    where $level = 'product'
        and lines.ordered_on <= $as_of
        and lines.ordered_on > cast($as_of as date) - interval 1 day * $basket_days
),

recent_buyers as (
    select product_id, count(distinct customer_id) as buyers
    from recent_lines
    group by product_id
),

candidates as (
    -- no rule can have more eligible customers than the segment's recent buyers of A: only the
    -- $max_candidates rules with the highest such bound on expected buyers are counted (null:
    -- all); the caller asks for more when a rule left out could still make the list
    select
        rules.antecedent,
        rules.consequent,
        cast(rules.antecedent as integer) as antecedent_id,
        cast(rules.consequent as integer) as consequent_id,
        recent_buyers.buyers * rules.confidence as bound,
        row_number() over (
            order by recent_buyers.buyers * rules.confidence desc, rules.antecedent, rules.consequent
        ) as bound_rank
    from rules
    inner join recent_buyers on cast(recent_buyers.product_id as varchar) = rules.antecedent
    where $level = 'product' and rules.lift > 1
),

counted as (
    select * from candidates where $max_candidates is null or bound_rank <= $max_candidates
),

uncounted_bound as (
    select max(bound) as bound from candidates where bound_rank > $max_candidates
),

-- How many of the segment's recent buyers of A have bought B: with $use_bitmaps, one bitmap
-- of customers per counted A (recent buyers) and per counted B (ever bought), over the
-- customer id range $customer_lo..$customer_hi, and a bit count of A and not B per rule;
-- otherwise (customer ids too sparse for bitmaps) buyers of A are joined to buyers of B.
recent_bits as (
    select product_id, bitstring_agg(customer_id, $customer_lo, $customer_hi) as customers
    from recent_lines
    where $use_bitmaps and product_id in (select antecedent_id from counted)
    group by product_id
),

ever_bits as (
    select product_id, bitstring_agg(customer_id, $customer_lo, $customer_hi) as customers
    from basket_lines
    where $use_bitmaps
        and ordered_on <= $as_of
        and product_id in (select consequent_id from counted)
        and customer_id between $customer_lo and $customer_hi
    group by product_id
),

recent_a as (
    select distinct customer_id, product_id
    from recent_lines
    where not $use_bitmaps and product_id in (select antecedent_id from counted)
),

ever_b as (
    select distinct lines.customer_id, lines.product_id
    from basket_lines as lines
    where not $use_bitmaps
        and lines.ordered_on <= $as_of
        and lines.product_id in (select consequent_id from counted)
        and lines.customer_id in (select customer_id from recent_a)
),

a_and_b as (
    select counted.antecedent, counted.consequent, count(*) as customers
    from recent_a
    inner join ever_b on ever_b.customer_id = recent_a.customer_id
    inner join counted on counted.antecedent_id = recent_a.product_id and counted.consequent_id = ever_b.product_id
    group by counted.antecedent, counted.consequent
),

product_eligible as (
    select
        counted.antecedent,
        counted.consequent,
        case
            when $use_bitmaps then bit_count(a_bits.customers & ~b_bits.customers)
            else recent_buyers.buyers - coalesce(a_and_b.customers, 0)
        end as eligible_customers
    from counted
    inner join recent_buyers on recent_buyers.product_id = counted.antecedent_id
    left join recent_bits as a_bits on a_bits.product_id = counted.antecedent_id
    left join ever_bits as b_bits on b_bits.product_id = counted.consequent_id
    left join a_and_b on a_and_b.antecedent = counted.antecedent and a_and_b.consequent = counted.consequent
),

eligible as (
    select rules.antecedent, rules.consequent, cast(sum(mask_customers.customers) as bigint) as eligible_customers
    from rules
    inner join basket_categories as a on a.category = rules.antecedent
    inner join basket_categories as b on b.category = rules.consequent
    inner join mask_customers
        on mask_customers.recent_mask & a.category_bit <> 0
        and mask_customers.ever_mask & b.category_bit = 0
    where $level = 'category' and rules.lift > 1
    group by rules.antecedent, rules.consequent
    union all
    select antecedent, consequent, eligible_customers
    from product_eligible
    where eligible_customers > 0
),

final as (
    select
        rules.*,
        eligible.eligible_customers,
        eligible.eligible_customers * rules.confidence as expected_buyers,
        (select bound from uncounted_bound) as uncounted_bound
    from rules
    inner join eligible on eligible.antecedent = rules.antecedent and eligible.consequent = rules.consequent
)

select * from final
order by expected_buyers desc, lift desc, antecedent, consequent
limit $max_rows
