-- the value of the chosen breakdown for each filtered customer ('all' when none), with the two
-- columns the drill-down list reads (lifecycle_customers joins this alone, not both)
breakdown as (
    select
        filtered_customers.customer_id,
        filtered_customers.membership_tier,
        filtered_customers.signed_up_on,
        case $breakdown
            when 'membership_tier' then filtered_customers.membership_tier
            when 'region' then coalesce(filtered_customers.region, 'unknown')
            when 'acquisition_channel' then coalesce(filtered_customers.acquisition_channel, 'unknown')
            when 'signup_cohort'
                then cast(year(filtered_customers.signed_up_on) as varchar) || '-Q'
                    || cast(quarter(filtered_customers.signed_up_on) as varchar)
            else 'all'
        end as breakdown_value
    from filtered_customers
)
