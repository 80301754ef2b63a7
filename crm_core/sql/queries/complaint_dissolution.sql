-- Do customers whose complaint stays unresolved dissolve more often? Customers of the filters
-- who had a completed order or a complaint in the $window_days days that end $dissolution_days
-- days before the as-of date, in three groups: an unresolved complaint in that window (still
-- open at the end of the as-of date), only resolved complaints, no complaint. Dissolved: no
-- completed order in the $dissolution_days days up to the as-of date (the lifecycle rule).
with
-- @include filtered_customers
,

complainers as (
    select
        interactions.customer_id,
        bool_or(interactions.resolved_at is null or interactions.resolved_at >= $as_of_end) as has_unresolved
    from stg_interactions as interactions
    inner join filtered_customers on filtered_customers.customer_id = interactions.customer_id
    -- the window's bounds are timestamps (constants once bound) compared with the stored
    -- column, so that the scan skips the row groups outside them (a cast of the column to a date
    -- would be computed on every row)
    where interactions.interaction_type = 'complaint'
        and interactions.opened_at
            >= cast(cast($as_of as date) - cast($dissolution_days + $window_days as integer) + 1 as timestamp)
        and interactions.opened_at < cast(cast($as_of as date) - cast($dissolution_days as integer) + 1 as timestamp)
    group by interactions.customer_id
),

-- a customer's first completed order in a window is the one whose previous completed order came
-- before the window (or never was: order_facts.previous_completed_on), so the customers with an
-- order in a window are those orders, one each, without a distinct over all the window's orders
buyers as (
    select order_facts.customer_id
    from order_facts
    inner join filtered_customers on filtered_customers.customer_id = order_facts.customer_id
    where order_facts.is_completed
        and order_facts.ordered_on > cast($as_of as date) - cast($dissolution_days + $window_days as integer)
        and order_facts.ordered_on <= cast($as_of as date) - cast($dissolution_days as integer)
        and coalesce(
            order_facts.previous_completed_on
                <= cast($as_of as date) - cast($dissolution_days + $window_days as integer),
            true
        )
),

population as (
    select
        coalesce(complainers.customer_id, buyers.customer_id) as customer_id,
        case
            when complainers.has_unresolved then 'unresolved'
            when complainers.customer_id is not null then 'resolved'
            else 'no_complaint'
        end as complaint_group
    from complainers
    full outer join buyers on buyers.customer_id = complainers.customer_id
),

recent as (
    select customer_id
    from order_facts
    where is_completed
        and ordered_on <= $as_of
        and ordered_on > cast($as_of as date) - cast($dissolution_days as integer)
        and coalesce(previous_completed_on <= cast($as_of as date) - cast($dissolution_days as integer), true)
),

final as (
    select
        population.complaint_group,
        count(*) as customers,
        count(*) filter (where recent.customer_id is null) as dissolved
    from population
    left join recent on recent.customer_id = population.customer_id
    group by population.complaint_group
)

select * from final
order by complaint_group
