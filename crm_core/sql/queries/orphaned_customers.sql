-- The filtered customers whose account manager had left by the as-of date (no handover), with
-- what a call list needs, the manager, and whether they have ordered since the manager left.
with
-- @include filtered_customers
,
-- @include segment_base
,

since_leaving as (
    select
        features.customer_id,
        count(order_facts.order_id) as orders_since_manager_left
    from customer_features as features
    inner join stg_account_managers as managers on managers.manager_id = features.account_manager_id
    left join order_facts
        on order_facts.customer_id = features.customer_id
        and order_facts.is_completed
        and order_facts.ordered_on > managers.left_on
        and order_facts.ordered_on <= $as_of
    where managers.left_on <= $as_of
    group by features.customer_id
),

listed as (
    -- @include customer_list
),

orphaned as (
    select
        listed.*,
        managers.manager_name,
        managers.left_on as manager_left_on,
        since_leaving.orders_since_manager_left
    from listed
    inner join customer_features as features on features.customer_id = listed.customer_id
    inner join stg_account_managers as managers on managers.manager_id = features.account_manager_id
    inner join since_leaving on since_leaving.customer_id = listed.customer_id
),

counts as (
    -- the counts over the whole list, next to each listed row (a window over the wide rows
    -- would hold every column of every row: seconds at L)
    select
        count(*) as listed_customers,
        count(*) filter (where orders_since_manager_left > 0) as reordered_customers
    from orphaned
),

final as (
    select orphaned.*, counts.listed_customers, counts.reordered_customers
    from orphaned
    cross join counts
)

select * from final
order by monetary desc, customer_id
-- the first $limit (all when null): the page shows 200, the rest on download
limit $limit
